/* X.509 certificates over OpenSSL 3: the CA, keys, CSRs and certificates
 * that VOLTTRON's RabbitMQ and web TLS use.
 *
 * Every object is built completely in memory before any file is written, so
 * that bad input never leaves half a key pair behind. Files are read whole
 * (bounded) through vt_fs, which gives the "cannot read <path>: ..." messages,
 * and parsed from a memory BIO.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/conf.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <volttron/utils/certs.h>
#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/mem.h>

/* PEM files are a few KiB; the bound keeps a wrong path (a log, an image)
 * from being read whole. */
#define CERTS_FILE_MAX (1024 * 1024)
#define CERTS_RSA_BITS 2048
/* RFC 5280 allows at most 20 octets of serial number. */
#define CERTS_SERIAL_BYTES 20
#define CERTS_PUBLIC_MODE 0644

typedef struct certs_ext {
    int nid;
    const char *value;
} certs_ext;

/* RFC 5280 4.2.1.3: keyUsage SHOULD be critical. The subject key identifier
 * comes before the authority one because a self-signed CA is its own issuer
 * and "keyid:always" reads it back. */
static const certs_ext certs_ca_exts[] = {
    {NID_basic_constraints, "critical,CA:TRUE"},
    {NID_key_usage, "critical,keyCertSign,cRLSign"},
    {NID_subject_key_identifier, "hash"},
    {NID_authority_key_identifier, "keyid:always"},
};

/* "issuer" is only a fallback, for a CA made elsewhere without a subject key
 * identifier; our own CAs always get the keyid. */
static const certs_ext certs_leaf_exts[] = {
    {NID_basic_constraints, "CA:FALSE"},
    {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
    {NID_subject_key_identifier, "hash"},
    {NID_authority_key_identifier, "keyid,issuer"},
};

/* ---- errors and argument checks ---- */

static int certs_fail_ssl(int rc, const char *fmt, ...) VT_PRINTF(2, 3);

/* OpenSSL queues its reasons per thread: fold the latest one into our message
 * and empty the queue, so that it is not blamed for a later failure. */
static int certs_fail_ssl(int rc, const char *fmt, ...)
{
    char what[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    unsigned long e = ERR_peek_last_error();
    const char *reason = e ? ERR_reason_error_string(e) : NULL;
    ERR_clear_error();
    if (!reason)
        return vt_error_set(rc, "%s", what);
    return vt_error_set(rc, "%s: %s", what, reason);
}

static int certs_check_path(const char *path, const char *what)
{
    if (!path || !*path)
        return vt_error_set(-EINVAL, "no path given for the %s", what);
    return 0;
}

/* Two outputs of one call at the same path would leave only the second. */
static int certs_check_outputs(const char *key_path, const char *out_path, const char *out_what)
{
    int rc = certs_check_path(key_path, "private key");
    if (rc == 0)
        rc = certs_check_path(out_path, out_what);
    if (rc == 0 && strcmp(key_path, out_path) == 0)
        rc = vt_error_set(-EINVAL, "the private key and the %s would both be written to %s",
                          out_what, key_path);
    return rc;
}

static int certs_check_days(int days)
{
    if (days <= 0)
        return vt_error_set(-EINVAL, "a certificate must be valid for at least one day, got %d",
                            days);
    return 0;
}

static int certs_check_subject(const vt_cert_subject *s)
{
    if (!s || !s->common_name || !*s->common_name)
        return vt_error_set(-EINVAL, "a certificate subject needs a common_name");
    /* OpenSSL would also refuse, but only with "string too short/long". */
    if (s->country && *s->country && strlen(s->country) != 2)
        return vt_error_set(-EINVAL, "country must be a two-letter code, got \"%s\"", s->country);
    return 0;
}

/* ---- reading PEM files ---- */

/* Never supplies a password: without a callback OpenSSL would prompt on the
 * terminal for an encrypted key. */
static int certs_no_password(char *buf, int size, int rwflag, void *asked)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    *(int *)asked = 1;
    return -1;
}

static void certs_close(BIO *bio, char *data, size_t len)
{
    BIO_free(bio);
    /* The file may have held a private key. */
    OPENSSL_cleanse(data, len);
    free(data);
}

static int certs_open(const char *path, BIO **bio, char **data, size_t *len)
{
    int rc = vt_fs_read_file(path, CERTS_FILE_MAX, data, len);
    if (rc < 0)
        return rc;
    /* The size limit keeps len within int. */
    *bio = BIO_new_mem_buf(*data, (int)*len);
    if (!*bio) {
        certs_close(NULL, *data, *len);
        return certs_fail_ssl(-ENOMEM, "cannot read %s", path);
    }
    return 0;
}

static int certs_not_pem(const char *path, const char *what, int asked)
{
    ERR_clear_error();
    if (asked)
        return vt_error_set(-EINVAL, "%s is encrypted; only unencrypted PEM %ss are supported",
                            path, what);
    return vt_error_set(-EINVAL, "%s is not a PEM %s", path, what);
}

enum pem_kind {
    PEM_CERT,
    PEM_REQ,
    PEM_KEY
};

/* Read one PEM object of the given kind from path. */
static int certs_load(const char *path, enum pem_kind kind, void **out)
{
    static const char *const names[] = {"certificate", "certificate request", "private key"};
    BIO *bio = NULL;
    char *data = NULL;
    size_t len = 0;
    int asked = 0;
    int rc = certs_open(path, &bio, &data, &len);
    if (rc < 0)
        return rc;
    switch (kind) {
    case PEM_CERT:
        *out = PEM_read_bio_X509(bio, NULL, certs_no_password, &asked);
        break;
    case PEM_REQ:
        *out = PEM_read_bio_X509_REQ(bio, NULL, certs_no_password, &asked);
        break;
    case PEM_KEY:
        *out = PEM_read_bio_PrivateKey(bio, NULL, certs_no_password, &asked);
        break;
    }
    certs_close(bio, data, len);
    return *out ? 0 : certs_not_pem(path, names[kind], asked);
}

static int certs_load_cert(const char *path, X509 **out)
{
    void *p = NULL;
    int rc = certs_load(path, PEM_CERT, &p);
    *out = p;
    return rc;
}

static int certs_load_req(const char *path, X509_REQ **out)
{
    void *p = NULL;
    int rc = certs_load(path, PEM_REQ, &p);
    *out = p;
    return rc;
}

static int certs_load_key(const char *path, EVP_PKEY **out)
{
    void *p = NULL;
    int rc = certs_load(path, PEM_KEY, &p);
    *out = p;
    return rc;
}

/* ---- writing PEM files ---- */

/* Secrets go through vt_fs_write_secret so they are 0600 from the first
 * byte; everything is replaced atomically. */
static int certs_save_bio(BIO *bio, const char *path, int secret)
{
    char *data = NULL;
    long len = BIO_get_mem_data(bio, &data);
    if (len <= 0)
        return vt_error_set(-EIO, "cannot write %s: nothing was encoded", path);
    if (secret)
        return vt_fs_write_secret(path, data, (size_t)len);
    return vt_fs_write_atomic(path, data, (size_t)len, CERTS_PUBLIC_MODE);
}

static int certs_save_key(EVP_PKEY *key, const char *path)
{
    /* A secmem BIO wipes the encoded key when it is freed. */
    BIO *bio = BIO_new(BIO_s_secmem());
    int rc;
    if (!bio || !PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL))
        rc = certs_fail_ssl(-EIO, "cannot encode the private key for %s", path);
    else
        rc = certs_save_bio(bio, path, 1);
    BIO_free(bio);
    return rc;
}

static int certs_save_cert(X509 *cert, const char *path)
{
    BIO *bio = BIO_new(BIO_s_mem());
    int rc;
    if (!bio || !PEM_write_bio_X509(bio, cert))
        rc = certs_fail_ssl(-EIO, "cannot encode the certificate for %s", path);
    else
        rc = certs_save_bio(bio, path, 0);
    BIO_free(bio);
    return rc;
}

static int certs_save_req(X509_REQ *req, const char *path)
{
    BIO *bio = BIO_new(BIO_s_mem());
    int rc;
    if (!bio || !PEM_write_bio_X509_REQ(bio, req))
        rc = certs_fail_ssl(-EIO, "cannot encode the certificate request for %s", path);
    else
        rc = certs_save_bio(bio, path, 0);
    BIO_free(bio);
    return rc;
}

/* ---- building blocks ---- */

static int certs_new_key(EVP_PKEY **out)
{
    *out = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)CERTS_RSA_BITS);
    if (!*out)
        return certs_fail_ssl(-EIO, "cannot generate an RSA %d-bit key", CERTS_RSA_BITS);
    return 0;
}

static int certs_name_add(X509_NAME *name, const char *field, const char *value)
{
    if (!value || !*value)
        return 0;
    if (!X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, (const unsigned char *)value, -1,
                                    -1, 0))
        return certs_fail_ssl(-EINVAL, "cannot put %s=\"%s\" in a certificate subject", field,
                              value);
    return 0;
}

/* Widest to narrowest, the order openssl req and VOLTTRON write. */
static int certs_build_name(const vt_cert_subject *s, X509_NAME **out)
{
    X509_NAME *name = X509_NAME_new();
    if (!name)
        return certs_fail_ssl(-ENOMEM, "cannot allocate a certificate subject");
    int rc = certs_name_add(name, "C", s->country);
    if (rc == 0)
        rc = certs_name_add(name, "ST", s->state);
    if (rc == 0)
        rc = certs_name_add(name, "L", s->locality);
    if (rc == 0)
        rc = certs_name_add(name, "O", s->organization);
    if (rc == 0)
        rc = certs_name_add(name, "OU", s->organization_unit);
    if (rc == 0)
        rc = certs_name_add(name, "CN", s->common_name);
    if (rc < 0) {
        X509_NAME_free(name);
        return rc;
    }
    *out = name;
    return 0;
}

/* The last CN of name (the most specific one) as UTF-8, for the caller to
 * OPENSSL_free(); NULL when there is none. *len gets its length, which can
 * differ from strlen() if the CN hides a NUL. */
static char *certs_name_cn(const X509_NAME *name, int *len)
{
    int idx = -1;
    for (int i; (i = X509_NAME_get_index_by_NID(name, NID_commonName, idx)) >= 0;)
        idx = i;
    if (idx < 0)
        return NULL;
    unsigned char *utf8 = NULL;
    int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx)));
    if (n < 0) {
        ERR_clear_error();
        return NULL;
    }
    if (len)
        *len = n;
    return (char *)utf8;
}

static int certs_set_serial(X509 *cert)
{
    unsigned char raw[CERTS_SERIAL_BYTES];
    if (RAND_bytes(raw, sizeof raw) != 1)
        return certs_fail_ssl(-EIO, "cannot draw a random serial number");
    /* Top bit clear: the DER INTEGER stays positive and within 20 octets.
     * Next bit set: it is never zero and always 159 bits long. */
    raw[0] = (unsigned char)((raw[0] & 0x7f) | 0x40);
    BIGNUM *bn = BN_bin2bn(raw, sizeof raw, NULL);
    int ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
    BN_free(bn);
    return ok ? 0 : certs_fail_ssl(-ENOMEM, "cannot set a serial number");
}

static int certs_set_validity(X509 *cert, int days)
{
    /* One clock reading for both ends, so the period is exactly days long. */
    time_t now = time(NULL);
    if (!X509_time_adj_ex(X509_getm_notBefore(cert), 0, 0, &now) ||
        !X509_time_adj_ex(X509_getm_notAfter(cert), days, 0, &now))
        return certs_fail_ssl(-EINVAL,
                              "cannot make a certificate valid for %d days (X.509 dates end "
                              "with the year 9999)",
                              days);
    return 0;
}

/* What every certificate gets, CA or not. */
static int certs_init_cert(X509 *cert, const X509_NAME *subject, const X509_NAME *issuer,
                           EVP_PKEY *pub, int days)
{
    if (!X509_set_version(cert, X509_VERSION_3) || !X509_set_subject_name(cert, subject) ||
        !X509_set_issuer_name(cert, issuer) || !X509_set_pubkey(cert, pub))
        return certs_fail_ssl(-ENOMEM, "cannot fill in a certificate");
    int rc = certs_set_serial(cert);
    if (rc == 0)
        rc = certs_set_validity(cert, days);
    return rc;
}

static int certs_add_ext(X509 *cert, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    int ok = ext && X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    if (!ok)
        return certs_fail_ssl(-EINVAL, "cannot add the extension %s = %s", OBJ_nid2sn(nid), value);
    return 0;
}

static int certs_add_exts(X509 *cert, X509V3_CTX *ctx, const certs_ext *exts, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = certs_add_ext(cert, ctx, exts[i].nid, exts[i].value);
    return rc;
}

static int certs_sign(X509 *cert, EVP_PKEY *key)
{
    if (X509_sign(cert, key, EVP_sha256()) <= 0)
        return certs_fail_ssl(-EIO, "cannot sign the certificate");
    return 0;
}

/* ---- the CA ---- */

static int certs_build_ca(EVP_PKEY *key, const X509_NAME *name, int days, X509 **out)
{
    X509 *cert = X509_new();
    if (!cert)
        return certs_fail_ssl(-ENOMEM, "cannot allocate a certificate");
    int rc = certs_init_cert(cert, name, name, key, days);
    if (rc == 0) {
        X509V3_CTX ctx;
        X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
        rc = certs_add_exts(cert, &ctx, certs_ca_exts,
                            sizeof certs_ca_exts / sizeof certs_ca_exts[0]);
    }
    if (rc == 0)
        rc = certs_sign(cert, key);
    if (rc < 0) {
        X509_free(cert);
        return rc;
    }
    *out = cert;
    return 0;
}

int vt_certs_create_ca(const char *key_path, const char *cert_path, const vt_cert_subject *subject,
                       int days)
{
    int rc = certs_check_outputs(key_path, cert_path, "CA certificate");
    if (rc == 0)
        rc = certs_check_subject(subject);
    if (rc == 0)
        rc = certs_check_days(days);
    if (rc < 0)
        return rc;
    X509_NAME *name = NULL;
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    /* The name first: a bad subject should not cost a key generation. */
    rc = certs_build_name(subject, &name);
    if (rc == 0)
        rc = certs_new_key(&key);
    if (rc == 0)
        rc = certs_build_ca(key, name, days, &cert);
    if (rc == 0)
        rc = certs_save_key(key, key_path);
    if (rc == 0)
        rc = certs_save_cert(cert, cert_path);
    X509_free(cert);
    EVP_PKEY_free(key);
    X509_NAME_free(name);
    return rc;
}

/* ---- CSRs ---- */

static int certs_build_csr(EVP_PKEY *key, const X509_NAME *name, X509_REQ **out)
{
    X509_REQ *req = X509_REQ_new();
    if (!req)
        return certs_fail_ssl(-ENOMEM, "cannot allocate a certificate request");
    int rc = 0;
    if (!X509_REQ_set_version(req, X509_REQ_VERSION_1) || !X509_REQ_set_subject_name(req, name) ||
        !X509_REQ_set_pubkey(req, key))
        rc = certs_fail_ssl(-ENOMEM, "cannot fill in a certificate request");
    if (rc == 0 && X509_REQ_sign(req, key, EVP_sha256()) <= 0)
        rc = certs_fail_ssl(-EIO, "cannot sign the certificate request");
    if (rc < 0) {
        X509_REQ_free(req);
        return rc;
    }
    *out = req;
    return 0;
}

int vt_certs_create_csr(const char *key_path, const char *csr_path, const vt_cert_subject *subject)
{
    int rc = certs_check_outputs(key_path, csr_path, "certificate request");
    if (rc == 0)
        rc = certs_check_subject(subject);
    if (rc < 0)
        return rc;
    X509_NAME *name = NULL;
    EVP_PKEY *key = NULL;
    X509_REQ *req = NULL;
    rc = certs_build_name(subject, &name);
    if (rc == 0)
        rc = certs_new_key(&key);
    if (rc == 0)
        rc = certs_build_csr(key, name, &req);
    if (rc == 0)
        rc = certs_save_key(key, key_path);
    if (rc == 0)
        rc = certs_save_req(req, csr_path);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
    X509_NAME_free(name);
    return rc;
}

/* ---- signing ---- */

static int certs_check_sign_args(const char *ca_cert_path, const char *ca_key_path,
                                 const char *csr_path, vt_cert_kind kind, int days,
                                 const char *cert_path)
{
    int rc = certs_check_path(ca_cert_path, "CA certificate");
    if (rc == 0)
        rc = certs_check_path(ca_key_path, "CA private key");
    if (rc == 0)
        rc = certs_check_path(csr_path, "certificate request");
    if (rc == 0)
        rc = certs_check_path(cert_path, "certificate");
    if (rc == 0 && kind != VT_CERT_SERVER && kind != VT_CERT_CLIENT)
        rc = vt_error_set(-EINVAL, "unknown certificate kind %d", (int)kind);
    if (rc == 0)
        rc = certs_check_days(days);
    /* Losing the CA to a typo would invalidate every certificate it made. */
    if (rc == 0 && (strcmp(cert_path, ca_key_path) == 0 || strcmp(cert_path, ca_cert_path) == 0))
        rc = vt_error_set(-EINVAL, "refusing to write the new certificate over the CA's %s",
                          cert_path);
    return rc;
}

static int certs_load_ca(const char *cert_path, const char *key_path, X509 **ca, EVP_PKEY **key)
{
    int rc = certs_load_cert(cert_path, ca);
    if (rc == 0)
        rc = certs_load_key(key_path, key);
    if (rc < 0)
        return rc;
    /* Certificates from a non-CA issuer would never verify. */
    if (!X509_check_ca(*ca))
        return vt_error_set(-EINVAL, "%s is not a CA certificate (no basicConstraints CA:TRUE)",
                            cert_path);
    if (X509_check_private_key(*ca, *key) != 1) {
        ERR_clear_error();
        return vt_error_set(-EINVAL, "CA key %s does not match CA certificate %s", key_path,
                            cert_path);
    }
    return 0;
}

static int certs_load_csr(const char *path, X509_REQ **out)
{
    int rc = certs_load_req(path, out);
    if (rc < 0)
        return rc;
    EVP_PKEY *pub = X509_REQ_get0_pubkey(*out);
    if (!pub)
        return certs_fail_ssl(-EINVAL, "certificate request %s has no usable public key", path);
    /* The signature proves the requester holds the private key. */
    if (X509_REQ_verify(*out, pub) != 1) {
        ERR_clear_error();
        return vt_error_set(-EBADMSG,
                            "certificate request %s has a bad signature (not made with the "
                            "key it contains)",
                            path);
    }
    return 0;
}

/* The CN becomes a DNS subjectAltName through OpenSSL's config syntax, where
 * a comma would start another name; keep to what host names use. */
static int certs_dns_safe(const char *s, int len)
{
    if (len <= 0 || (size_t)len != strlen(s))
        return 0;
    for (; *s; s++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_*", *s))
            return 0;
    return 1;
}

/* Extensions in the request are ignored on purpose: the CA, not the
 * requester, decides what the certificate may be used for. */
static int certs_add_leaf_exts(X509 *cert, X509 *ca, vt_cert_kind kind, const char *cn)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, ca, cert, NULL, NULL, 0);
    int rc = certs_add_exts(cert, &ctx, certs_leaf_exts,
                            sizeof certs_leaf_exts / sizeof certs_leaf_exts[0]);
    if (rc == 0)
        rc = certs_add_ext(cert, &ctx, NID_ext_key_usage,
                           kind == VT_CERT_SERVER ? "serverAuth" : "clientAuth");
    if (rc == 0 && kind == VT_CERT_SERVER) {
        char *san = vt_asprintf("DNS:%s", cn);
        rc = certs_add_ext(cert, &ctx, NID_subject_alt_name, san);
        free(san);
    }
    return rc;
}

static int certs_issue(X509 *ca, EVP_PKEY *ca_key, X509_REQ *req, vt_cert_kind kind, int days,
                       const char *cn, X509 **out)
{
    X509 *cert = X509_new();
    if (!cert)
        return certs_fail_ssl(-ENOMEM, "cannot allocate a certificate");
    int rc = certs_init_cert(cert, X509_REQ_get_subject_name(req), X509_get_subject_name(ca),
                             X509_REQ_get0_pubkey(req), days);
    if (rc == 0)
        rc = certs_add_leaf_exts(cert, ca, kind, cn);
    if (rc == 0)
        rc = certs_sign(cert, ca_key);
    if (rc < 0) {
        X509_free(cert);
        return rc;
    }
    *out = cert;
    return 0;
}

static int certs_issue_from(X509 *ca, EVP_PKEY *ca_key, X509_REQ *req, const char *csr_path,
                            vt_cert_kind kind, int days, X509 **out)
{
    int len = 0;
    char *cn = certs_name_cn(X509_REQ_get_subject_name(req), &len);
    int rc = 0;
    if (!cn)
        rc = vt_error_set(-EINVAL, "certificate request %s has no common name", csr_path);
    else if (kind == VT_CERT_SERVER && !certs_dns_safe(cn, len))
        rc = vt_error_set(-EINVAL,
                          "certificate request %s: common name \"%s\" cannot be a server's DNS "
                          "name (letters, digits, '.', '-', '_' and '*' only)",
                          csr_path, cn);
    else {
        rc = certs_issue(ca, ca_key, req, kind, days, cn, out);
        if (rc < 0)
            vt_error_prefix(rc, "cannot sign %s", csr_path);
    }
    OPENSSL_free(cn);
    return rc;
}

int vt_certs_sign_csr(const char *ca_cert_path, const char *ca_key_path, const char *csr_path,
                      vt_cert_kind kind, int days, const char *cert_path)
{
    int rc = certs_check_sign_args(ca_cert_path, ca_key_path, csr_path, kind, days, cert_path);
    if (rc < 0)
        return rc;
    X509 *ca = NULL;
    EVP_PKEY *ca_key = NULL;
    X509_REQ *req = NULL;
    X509 *cert = NULL;
    rc = certs_load_ca(ca_cert_path, ca_key_path, &ca, &ca_key);
    if (rc == 0)
        rc = certs_load_csr(csr_path, &req);
    if (rc == 0)
        rc = certs_issue_from(ca, ca_key, req, csr_path, kind, days, &cert);
    if (rc == 0)
        rc = certs_save_cert(cert, cert_path);
    X509_free(cert);
    X509_REQ_free(req);
    EVP_PKEY_free(ca_key);
    X509_free(ca);
    return rc;
}

/* ---- verification ---- */

/* The CA is the only trust anchor and must be a root: no partial chains, so
 * a leaf passed as "CA" does not vouch for itself. */
static int certs_verify_with(X509 *ca, X509 *cert, const char *ca_path, const char *cert_path)
{
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    int rc;
    if (!store || !ctx || !X509_STORE_add_cert(store, ca) ||
        !X509_STORE_CTX_init(ctx, store, cert, NULL)) {
        rc = certs_fail_ssl(-ENOMEM, "cannot set up the verification of %s", cert_path);
    } else if (X509_verify_cert(ctx) == 1) {
        rc = 0;
    } else {
        int err = X509_STORE_CTX_get_error(ctx);
        ERR_clear_error();
        rc = vt_error_set(-EBADMSG, "certificate %s does not verify against CA %s: %s", cert_path,
                          ca_path, X509_verify_cert_error_string(err));
    }
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    return rc;
}

int vt_certs_verify(const char *ca_cert_path, const char *cert_path)
{
    int rc = certs_check_path(ca_cert_path, "CA certificate");
    if (rc == 0)
        rc = certs_check_path(cert_path, "certificate");
    if (rc < 0)
        return rc;
    X509 *ca = NULL;
    X509 *cert = NULL;
    rc = certs_load_cert(ca_cert_path, &ca);
    if (rc == 0)
        rc = certs_load_cert(cert_path, &cert);
    if (rc == 0)
        rc = certs_verify_with(ca, cert, ca_cert_path, cert_path);
    X509_free(cert);
    X509_free(ca);
    return rc;
}

/* ---- reading certificate information ---- */

/* Copy src[0..len) into dst, cutting where a UTF-8 character starts if it
 * does not fit. */
static void certs_copy_text(char *dst, size_t cap, const char *src, size_t len)
{
    if (len >= cap) {
        len = cap - 1;
        while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
            len--;
    }
    if (len > 0)
        memcpy(dst, src, len);
    dst[len] = '\0';
}

/* "C=US, ST=WA, O=PNNL, CN=name": openssl's one-line form without the
 * spaces around '=', and with UTF-8 left as is rather than escaped. */
static int certs_name_line(const X509_NAME *name, char *out, size_t cap)
{
    const unsigned long flags = XN_FLAG_ONELINE & ~XN_FLAG_SPC_EQ & ~ASN1_STRFLGS_ESC_MSB;
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio || X509_NAME_print_ex(bio, name, 0, flags) < 0) {
        BIO_free(bio);
        return certs_fail_ssl(-EINVAL, "cannot print a distinguished name");
    }
    char *data = NULL;
    long len = BIO_get_mem_data(bio, &data);
    certs_copy_text(out, cap, data, len > 0 ? (size_t)len : 0);
    BIO_free(bio);
    return 0;
}

static int certs_time(const ASN1_TIME *t, time_t *out)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (!t || !ASN1_TIME_to_tm(t, &tm))
        return certs_fail_ssl(-EINVAL, "invalid validity time");
    *out = timegm(&tm);
    return 0;
}

static int certs_serial_hex(const ASN1_INTEGER *serial, char *out, size_t cap)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    int rc = 0;
    if (!hex)
        rc = certs_fail_ssl(-EINVAL, "invalid serial number");
    else if (strlen(hex) >= cap)
        /* RFC 5280 serials fit; cutting one would report a different one. */
        rc = vt_error_set(-EINVAL, "serial number of %zu hex digits is too long", strlen(hex));
    else
        certs_copy_text(out, cap, hex, strlen(hex));
    OPENSSL_free(hex);
    BN_free(bn);
    return rc;
}

static int certs_fill_info(X509 *cert, vt_cert_info *out)
{
    int rc = certs_name_line(X509_get_subject_name(cert), out->subject, sizeof out->subject);
    if (rc == 0)
        rc = certs_name_line(X509_get_issuer_name(cert), out->issuer, sizeof out->issuer);
    if (rc == 0)
        rc = certs_time(X509_get0_notBefore(cert), &out->not_before);
    if (rc == 0)
        rc = certs_time(X509_get0_notAfter(cert), &out->not_after);
    if (rc == 0)
        rc = certs_serial_hex(X509_get0_serialNumber(cert), out->serial, sizeof out->serial);
    if (rc < 0)
        return rc;
    char *cn = certs_name_cn(X509_get_subject_name(cert), NULL);
    certs_copy_text(out->common_name, sizeof out->common_name, cn ? cn : "", cn ? strlen(cn) : 0);
    OPENSSL_free(cn);
    /* EXFLAG_CA is exactly basicConstraints CA:TRUE; X509_check_ca would also
     * count v1 roots and a bare keyCertSign. */
    out->is_ca = (X509_get_extension_flags(cert) & EXFLAG_CA) != 0;
    return 0;
}

int vt_certs_read_info(const char *cert_path, vt_cert_info *out)
{
    if (!out)
        return vt_error_set(-EINVAL, "no place given for the certificate information");
    memset(out, 0, sizeof *out);
    X509 *cert = NULL;
    int rc = certs_check_path(cert_path, "certificate");
    if (rc == 0)
        rc = certs_load_cert(cert_path, &cert);
    if (rc < 0)
        return rc;
    rc = certs_fill_info(cert, out);
    X509_free(cert);
    if (rc < 0) {
        memset(out, 0, sizeof *out);
        return vt_error_prefix(rc, "%s", cert_path);
    }
    return 0;
}
