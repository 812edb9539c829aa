#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include <volttron/client/address.h>
#include <volttron/client/keys.h>
#include <volttron/utils/encoding.h>
#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/json.h>
#include <volttron/utils/mem.h>

#define KEYSTORE_MAX (64 * 1024)

static int z85_to_text(const char *z85, char out[VT_KEY_TEXT_SIZE])
{
    uint8_t raw[VT_KEY_BYTES];
    if (vt_z85_decode(z85, 40, raw, sizeof raw) != VT_KEY_BYTES)
        return -EINVAL;
    vt_key_encode(raw, out);
    return 0;
}

int vt_keys_generate(vt_keypair *out)
{
    for (int attempt = 0; attempt < 16; attempt++) {
        char pub[41], sec[41];
        if (zmq_curve_keypair(pub, sec) != 0)
            return vt_error_set(-ENOTSUP, "cannot generate a CURVE key pair: %s",
                                zmq_strerror(errno));
        if (z85_to_text(pub, out->public_key) < 0 || z85_to_text(sec, out->secret_key) < 0)
            return vt_error_set(-EINVAL, "libzmq produced an invalid key");
        if (out->public_key[0] != '-' && out->secret_key[0] != '-')
            return 0;
    }
    return vt_error_set(-EAGAIN, "could not generate a key pair without a leading '-'");
}

int vt_keys_public_from_secret(const char *secret, char out[VT_KEY_TEXT_SIZE])
{
    char z85_secret[41], z85_public[41];
    int rc = vt_keys_to_z85(secret, z85_secret);
    if (rc < 0)
        return rc;
    if (zmq_curve_public(z85_public, z85_secret) != 0)
        return vt_error_set(-EINVAL, "cannot derive a public key: %s", zmq_strerror(errno));
    return z85_to_text(z85_public, out);
}

int vt_keys_to_z85(const char *key, char out[41])
{
    uint8_t raw[VT_KEY_BYTES];
    int rc = vt_key_decode(key, raw);
    if (rc < 0)
        return rc;
    vt_key_to_z85(raw, out);
    return 0;
}

/* Copy a key from JSON, normalising any accepted encoding to the canonical text. */
static int canonical_key(const cJSON *v, char out[VT_KEY_TEXT_SIZE])
{
    uint8_t raw[VT_KEY_BYTES];
    if (!cJSON_IsString(v) || vt_key_decode(v->valuestring, raw) < 0)
        return -EINVAL;
    vt_key_encode(raw, out);
    return 0;
}

int vt_keystore_load(const char *path, vt_keypair *out)
{
    char *text;
    size_t len;
    int rc = vt_fs_read_file(path, KEYSTORE_MAX, &text, &len);
    if (rc < 0)
        return rc;
    cJSON *doc = vt_json_parse(text, len, 0, path, NULL);
    free(text);
    if (!doc)
        return -EINVAL;
    rc = 0;
    if (canonical_key(cJSON_GetObjectItemCaseSensitive(doc, "public"), out->public_key) < 0 ||
        canonical_key(cJSON_GetObjectItemCaseSensitive(doc, "secret"), out->secret_key) < 0)
        rc = vt_error_set(-EINVAL,
                          "%s: not a key store (expected {\"public\": <key>, "
                          "\"secret\": <key>})",
                          path);
    cJSON_Delete(doc);
    return rc;
}

static int mkdir_parent(const char *path)
{
    char *copy = vt_strdup(path);
    int rc = vt_fs_mkdir_p(dirname(copy), 0755);
    free(copy);
    return rc;
}

int vt_keystore_save(const char *path, const vt_keypair *pair)
{
    int rc = mkdir_parent(path);
    if (rc < 0)
        return rc;
    /* VOLTTRON's exact form: 4-space indent, no trailing newline. */
    char *text = vt_asprintf("{\n    \"public\": \"%s\",\n    \"secret\": \"%s\"\n}",
                             pair->public_key, pair->secret_key);
    rc = vt_fs_write_secret(path, text, strlen(text));
    free(text);
    return rc;
}

int vt_keystore_load_or_create(const char *path, vt_keypair *out)
{
    int rc = vt_keystore_load(path, out);
    if (rc == 0)
        return 0;
    if (rc != -ENOENT && rc != -EINVAL)
        return rc;
    rc = vt_keys_generate(out);
    if (rc < 0)
        return rc;
    return vt_keystore_save(path, out);
}

static cJSON *load_known_hosts(const char *path)
{
    char *text;
    size_t len;
    if (vt_fs_read_file(path, 1024 * 1024, &text, &len) < 0)
        return NULL;
    cJSON *doc = vt_json_parse(text, len, 0, path, NULL);
    free(text);
    if (doc && !cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        doc = NULL;
    }
    return doc;
}

int vt_known_hosts_lookup(const char *home, const char *address, char out[VT_KEY_TEXT_SIZE])
{
    vt_address addr;
    char *host;
    if (vt_address_parse(address, &addr) == 0) {
        host = vt_strdup(addr.host_key);
        vt_address_clear(&addr);
    } else {
        host = vt_strdup(address); /* "127.0.0.1:22916" without a scheme */
    }
    char *path = vt_fs_path_join(home, "known_hosts");
    cJSON *doc = load_known_hosts(path);
    int rc = -ENOENT;
    if (doc && canonical_key(cJSON_GetObjectItemCaseSensitive(doc, host), out) == 0)
        rc = 0;
    if (rc < 0)
        vt_error_set(-ENOENT, "no server key for %s in %s", host, path);
    cJSON_Delete(doc);
    free(path);
    free(host);
    return rc;
}

int vt_known_hosts_set(const char *home, const char *host_key, const char *key)
{
    char *path = vt_fs_path_join(home, "known_hosts");
    cJSON *doc = load_known_hosts(path);
    if (!doc)
        doc = cJSON_CreateObject();
    /* Replace in place so entries keep their order ("@" stays first). */
    if (cJSON_GetObjectItemCaseSensitive(doc, host_key))
        cJSON_ReplaceItemInObjectCaseSensitive(doc, host_key, cJSON_CreateString(key));
    else
        cJSON_AddStringToObject(doc, host_key, key);
    char *text = vt_json_dump(doc, VT_JSON_INDENT(4));
    int rc = vt_fs_write_atomic(path, text, strlen(text), 0644);
    free(text);
    cJSON_Delete(doc);
    free(path);
    return rc;
}
