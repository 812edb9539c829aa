/* Tests for the X.509 module: the files it writes are checked with OpenSSL
 * directly, not only through vt_certs_read_info, so that the module cannot
 * agree with itself about something wrong. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <volttron/utils/certs.h>
#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/mem.h>

#include "testutil.h"

#define DAY 86400

static const vt_cert_subject ca_subject = {
    .country = "US",
    .state = "WA",
    .organization = "PNNL",
    .common_name = "volttron-ca",
};
#define CA_LINE "C=US, ST=WA, O=PNNL, CN=volttron-ca"

static const vt_cert_subject server_subject = {
    .country = "US",
    .state = "WA",
    .locality = "Richland",
    .organization = "PNNL",
    .organization_unit = "VOLTTRON",
    .common_name = "platform.example.org",
};
#define SERVER_LINE "C=US, ST=WA, L=Richland, O=PNNL, OU=VOLTTRON, CN=platform.example.org"

static const vt_cert_subject client_subject = {
    .organization = "PNNL",
    .common_name = "volttron1.listener",
};

/* ---- per-test directory ---- */

static char *dir;
static char *paths[256];
static size_t npaths;

static void setup(void)
{
    dir = vt_test_mkdtemp();
    vt_error_clear();
}

static void teardown(void)
{
    vt_test_rmtree(dir);
    free(dir);
    dir = NULL;
    for (size_t i = 0; i < npaths; i++)
        free(paths[i]);
    npaths = 0;
}

/* dir/name; freed by teardown. */
static const char *path(const char *name)
{
    ck_assert_uint_lt(npaths, sizeof paths / sizeof paths[0]);
    char *p = vt_fs_path_join(dir, name);
    paths[npaths++] = p;
    return p;
}

#define assert_error_has(text)                                                                     \
    ck_assert_msg(strstr(vt_last_error(), (text)) != NULL, "error \"%s\" lacks \"%s\"",            \
                  vt_last_error(), (text))

static void make_ca(const char *key, const char *cert)
{
    int rc = vt_certs_create_ca(path(key), path(cert), &ca_subject, 365);
    ck_assert_msg(rc == 0, "create_ca: %d %s", rc, vt_last_error());
}

static void make_csr(const char *key, const char *csr, const vt_cert_subject *subject)
{
    int rc = vt_certs_create_csr(path(key), path(csr), subject);
    ck_assert_msg(rc == 0, "create_csr: %d %s", rc, vt_last_error());
}

static void sign(const char *csr, vt_cert_kind kind, int days, const char *cert)
{
    int rc = vt_certs_sign_csr(path("ca.pem"), path("ca.key"), path(csr), kind, days, path(cert));
    ck_assert_msg(rc == 0, "sign_csr: %d %s", rc, vt_last_error());
}

/* ---- OpenSSL's view of the files ---- */

static X509 *load_x509(const char *file)
{
    BIO *bio = BIO_new_file(file, "r");
    ck_assert_ptr_nonnull(bio);
    X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    ck_assert_msg(x != NULL, "%s does not parse as a certificate", file);
    return x;
}

static EVP_PKEY *load_key(const char *file)
{
    BIO *bio = BIO_new_file(file, "r");
    ck_assert_ptr_nonnull(bio);
    EVP_PKEY *k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    ck_assert_msg(k != NULL, "%s does not parse as a private key", file);
    return k;
}

static X509_REQ *load_req(const char *file)
{
    BIO *bio = BIO_new_file(file, "r");
    ck_assert_ptr_nonnull(bio);
    X509_REQ *r = PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL);
    BIO_free(bio);
    ck_assert_msg(r != NULL, "%s does not parse as a CSR", file);
    return r;
}

static void save_x509(X509 *x, const char *file)
{
    BIO *bio = BIO_new_file(file, "w");
    ck_assert_ptr_nonnull(bio);
    ck_assert_int_eq(PEM_write_bio_X509(bio, x), 1);
    BIO_free(bio);
}

static mode_t file_mode(const char *file)
{
    struct stat st;
    ck_assert_msg(stat(file, &st) == 0, "stat %s", file);
    return st.st_mode & 07777;
}

static int is_critical(X509 *x, int nid)
{
    int idx = X509_get_ext_by_NID(x, nid, -1);
    ck_assert_msg(idx >= 0, "extension %s missing", OBJ_nid2sn(nid));
    return X509_EXTENSION_get_critical(X509_get_ext(x, idx));
}

/* ---- the CA ---- */

START_TEST(test_ca_created)
{
    time_t before = time(NULL);
    make_ca("ca.key", "ca.pem");
    time_t after = time(NULL);

    vt_cert_info info;
    ck_assert_int_eq(vt_certs_read_info(path("ca.pem"), &info), 0);
    ck_assert_int_eq(info.is_ca, 1);
    ck_assert_str_eq(info.common_name, "volttron-ca");
    ck_assert_str_eq(info.subject, CA_LINE);
    ck_assert_str_eq(info.issuer, CA_LINE);
    ck_assert(info.not_before >= before && info.not_before <= after);
    ck_assert_int_eq((long long)(info.not_after - info.not_before), 365LL * DAY);
    /* 159 bits with the top one set: 40 hex digits, leading 4..7. */
    ck_assert_uint_eq(strlen(info.serial), 40);
    ck_assert_uint_eq(strspn(info.serial, "0123456789ABCDEF"), 40);
    ck_assert_ptr_nonnull(strchr("4567", info.serial[0]));

    ck_assert_uint_eq(file_mode(path("ca.key")), 0600);
    ck_assert_uint_eq(file_mode(path("ca.pem")), 0644);

    X509 *ca = load_x509(path("ca.pem"));
    EVP_PKEY *key = load_key(path("ca.key"));
    ck_assert_int_eq(X509_check_private_key(ca, key), 1);
    ck_assert_int_eq(EVP_PKEY_get_id(key), EVP_PKEY_RSA);
    ck_assert_int_eq(EVP_PKEY_get_bits(key), 2048);
    ck_assert_int_eq(X509_get_version(ca), X509_VERSION_3);
    ck_assert_int_eq(X509_get_signature_nid(ca), NID_sha256WithRSAEncryption);
    ck_assert_int_eq(X509_check_issued(ca, ca), X509_V_OK);
    ck_assert_int_eq(X509_verify(ca, X509_get0_pubkey(ca)), 1);
    ck_assert(X509_get_extension_flags(ca) & EXFLAG_CA);
    ck_assert_int_eq(is_critical(ca, NID_basic_constraints), 1);
    ck_assert_uint_eq(X509_get_key_usage(ca), KU_KEY_CERT_SIGN | KU_CRL_SIGN);
    ck_assert_ptr_nonnull(X509_get0_subject_key_id(ca));
    BIGNUM *serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(ca), NULL);
    ck_assert_int_eq(BN_is_negative(serial), 0);
    ck_assert_int_eq(BN_num_bits(serial), 159);
    BN_free(serial);
    EVP_PKEY_free(key);
    X509_free(ca);

    /* A root verifies against itself. */
    ck_assert_int_eq(vt_certs_verify(path("ca.pem"), path("ca.pem")), 0);
}
END_TEST

START_TEST(test_ca_serials_differ)
{
    make_ca("a.key", "a.pem");
    make_ca("b.key", "b.pem");
    vt_cert_info a, b;
    ck_assert_int_eq(vt_certs_read_info(path("a.pem"), &a), 0);
    ck_assert_int_eq(vt_certs_read_info(path("b.pem"), &b), 0);
    ck_assert_str_ne(a.serial, b.serial);
}
END_TEST

START_TEST(test_utf8_subject)
{
    vt_cert_subject s = ca_subject;
    s.organization = "\xc3\x89nergie, \"Nord\"";
    ck_assert_int_eq(vt_certs_create_ca(path("ca.key"), path("ca.pem"), &s, 10), 0);
    vt_cert_info info;
    ck_assert_int_eq(vt_certs_read_info(path("ca.pem"), &info), 0);
    /* UTF-8 passes through unescaped; a value with separators is quoted, as
     * openssl x509 -nameopt oneline shows it. */
    ck_assert_str_eq(info.subject,
                     "C=US, ST=WA, O=\"\xc3\x89nergie, \\\"Nord\\\"\", CN=volttron-ca");
}
END_TEST

/* ---- CSRs and signing ---- */

START_TEST(test_sign_server_and_client)
{
    make_ca("ca.key", "ca.pem");
    make_csr("server.key", "server.csr", &server_subject);
    make_csr("client.key", "client.csr", &client_subject);
    ck_assert_uint_eq(file_mode(path("server.key")), 0600);
    ck_assert_uint_eq(file_mode(path("client.key")), 0600);

    X509_REQ *req = load_req(path("server.csr"));
    EVP_PKEY *server_key = load_key(path("server.key"));
    ck_assert_int_eq(X509_REQ_verify(req, server_key), 1);
    X509_REQ_free(req);

    sign("server.csr", VT_CERT_SERVER, 30, "server.pem");
    sign("client.csr", VT_CERT_CLIENT, 30, "client.pem");
    ck_assert_int_eq(vt_certs_verify(path("ca.pem"), path("server.pem")), 0);
    ck_assert_int_eq(vt_certs_verify(path("ca.pem"), path("client.pem")), 0);

    vt_cert_info ca_info, info;
    ck_assert_int_eq(vt_certs_read_info(path("ca.pem"), &ca_info), 0);
    ck_assert_int_eq(vt_certs_read_info(path("server.pem"), &info), 0);
    ck_assert_str_eq(info.issuer, ca_info.subject);
    ck_assert_str_eq(info.subject, SERVER_LINE);
    ck_assert_str_eq(info.common_name, "platform.example.org");
    ck_assert_int_eq(info.is_ca, 0);
    ck_assert_int_eq((long long)(info.not_after - info.not_before), 30LL * DAY);
    ck_assert_str_ne(info.serial, ca_info.serial);
    ck_assert_int_eq(vt_certs_read_info(path("client.pem"), &info), 0);
    ck_assert_str_eq(info.subject, "O=PNNL, CN=volttron1.listener");
    ck_assert_str_eq(info.issuer, CA_LINE);

    X509 *ca = load_x509(path("ca.pem"));
    X509 *server = load_x509(path("server.pem"));
    X509 *client = load_x509(path("client.pem"));
    ck_assert_int_eq(X509_check_private_key(server, server_key), 1);
    ck_assert_int_eq(X509_get_signature_nid(server), NID_sha256WithRSAEncryption);
    ck_assert_int_eq(X509_check_issued(ca, server), X509_V_OK);
    ck_assert_int_eq(X509_cmp(ca, server) != 0, 1);

    ck_assert_int_eq(X509_get_extension_flags(server) & EXFLAG_CA, 0);
    ck_assert_uint_eq(X509_get_key_usage(server), KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT);
    ck_assert_uint_eq(X509_get_extended_key_usage(server), XKU_SSL_SERVER);
    ck_assert_uint_eq(X509_get_extended_key_usage(client), XKU_SSL_CLIENT);
    ck_assert_int_eq(X509_check_purpose(server, X509_PURPOSE_SSL_SERVER, 0), 1);
    ck_assert_int_eq(X509_check_purpose(client, X509_PURPOSE_SSL_CLIENT, 0), 1);
    ck_assert_int_ne(X509_check_purpose(client, X509_PURPOSE_SSL_SERVER, 0), 1);
    /* NEVER_CHECK_SUBJECT: the name must come from the subjectAltName, not
     * from OpenSSL's fallback to the CN. */
    ck_assert_int_ge(X509_get_ext_by_NID(server, NID_subject_alt_name, -1), 0);
    ck_assert_int_eq(X509_check_host(server, "platform.example.org", 0,
                                     X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, NULL),
                     1);
    ck_assert_int_ne(X509_check_host(server, "other.example.org", 0, 0, NULL), 1);
    ck_assert_int_lt(X509_get_ext_by_NID(client, NID_subject_alt_name, -1), 0);
    ck_assert_ptr_nonnull(X509_get0_authority_key_id(server));
    ck_assert_int_eq(
        ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(server), X509_get0_subject_key_id(ca)), 0);
    ck_assert_int_eq(
        ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(client), X509_get0_subject_key_id(ca)), 0);
    EVP_PKEY_free(server_key);
    X509_free(client);
    X509_free(server);
    X509_free(ca);
}
END_TEST

START_TEST(test_verify_other_ca_fails)
{
    make_ca("ca.key", "ca.pem");
    make_ca("other.key", "other.pem");
    make_csr("server.key", "server.csr", &server_subject);
    sign("server.csr", VT_CERT_SERVER, 30, "server.pem");

    ck_assert_int_eq(vt_certs_verify(path("other.pem"), path("server.pem")), -EBADMSG);
    assert_error_has(path("server.pem"));
    assert_error_has(path("other.pem"));
    assert_error_has("unable to get local issuer certificate");

    /* Same subject, different key: the other CA is not trusted either. */
    ck_assert_int_eq(vt_certs_verify(path("ca.pem"), path("other.pem")), -EBADMSG);
    /* A leaf does not vouch for itself. */
    ck_assert_int_eq(vt_certs_verify(path("server.pem"), path("server.pem")), -EBADMSG);
}
END_TEST

START_TEST(test_expired)
{
    make_ca("ca.key", "ca.pem");
    make_csr("server.key", "server.csr", &server_subject);

    X509 *ca = load_x509(path("ca.pem"));
    EVP_PKEY *ca_key = load_key(path("ca.key"));
    EVP_PKEY *key = load_key(path("server.key"));
    X509 *x = X509_new();
    ck_assert_ptr_nonnull(x);
    ck_assert_int_eq(X509_set_version(x, X509_VERSION_3), 1);
    ck_assert_int_eq(ASN1_INTEGER_set(X509_get_serialNumber(x), 4242), 1);
    X509_NAME *name = X509_NAME_new();
    ck_assert_int_eq(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                                (const unsigned char *)"expired", -1, -1, 0),
                     1);
    ck_assert_int_eq(X509_set_subject_name(x, name), 1);
    X509_NAME_free(name);
    ck_assert_int_eq(X509_set_issuer_name(x, X509_get_subject_name(ca)), 1);
    ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notBefore(x), -10L * DAY));
    ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notAfter(x), -1L * DAY));
    ck_assert_int_eq(X509_set_pubkey(x, key), 1);
    ck_assert_int_gt(X509_sign(x, ca_key, EVP_sha256()), 0);
    save_x509(x, path("expired.pem"));
    /* The same certificate, still valid, is the control. */
    ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notAfter(x), 1L * DAY));
    ck_assert_int_gt(X509_sign(x, ca_key, EVP_sha256()), 0);
    save_x509(x, path("valid.pem"));
    X509_free(x);
    EVP_PKEY_free(key);
    EVP_PKEY_free(ca_key);
    X509_free(ca);

    ck_assert_int_eq(vt_certs_verify(path("ca.pem"), path("valid.pem")), 0);
    ck_assert_int_eq(vt_certs_verify(path("ca.pem"), path("expired.pem")), -EBADMSG);
    assert_error_has("expired");
    assert_error_has(path("expired.pem"));
    assert_error_has(path("ca.pem"));

    vt_cert_info info;
    ck_assert_int_eq(vt_certs_read_info(path("expired.pem"), &info), 0);
    ck_assert_int_lt((long long)info.not_after, (long long)time(NULL));
    ck_assert_str_eq(info.serial, "1092");
    ck_assert_str_eq(info.subject, "CN=expired");
}
END_TEST

/* ---- bad input ---- */

START_TEST(test_missing_files)
{
    make_ca("ca.key", "ca.pem");
    int rc = vt_certs_sign_csr(path("ca.pem"), path("ca.key"), path("nope.csr"), VT_CERT_SERVER, 30,
                               path("out.pem"));
    ck_assert_int_eq(rc, -ENOENT);
    assert_error_has(path("nope.csr"));
    assert_error_has("No such file or directory");
    ck_assert(!vt_fs_exists(path("out.pem")));

    rc = vt_certs_sign_csr(path("ca.pem"), path("nope.key"), path("ca.pem"), VT_CERT_SERVER, 30,
                           path("out.pem"));
    ck_assert_int_eq(rc, -ENOENT);
    assert_error_has(path("nope.key"));

    ck_assert_int_eq(vt_certs_verify(path("nope.pem"), path("ca.pem")), -ENOENT);
    assert_error_has(path("nope.pem"));
    ck_assert_int_eq(vt_certs_verify(path("ca.pem"), path("gone.pem")), -ENOENT);
    assert_error_has(path("gone.pem"));

    vt_cert_info info;
    ck_assert_int_eq(vt_certs_read_info(path("nope.pem"), &info), -ENOENT);
    assert_error_has("No such file or directory");
    ck_assert_int_eq(vt_certs_read_info(dir, &info), -EISDIR);
}
END_TEST

START_TEST(test_garbage_csr)
{
    make_ca("ca.key", "ca.pem");
    char *garbage = vt_test_write_file(dir, "garbage.csr", "this is not a CSR\n");
    char *empty = vt_test_write_file(dir, "empty.csr", "");
    const char *inputs[] = {garbage, empty, path("ca.pem"), path("ca.key")};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        int rc = vt_certs_sign_csr(path("ca.pem"), path("ca.key"), inputs[i], VT_CERT_CLIENT, 30,
                                   path("out.pem"));
        ck_assert_int_eq(rc, -EINVAL);
        char want[4096];
        snprintf(want, sizeof want, "%s is not a PEM certificate request", inputs[i]);
        assert_error_has(want);
        ck_assert(!vt_fs_exists(path("out.pem")));
    }
    free(garbage);
    free(empty);
}
END_TEST

START_TEST(test_key_is_not_a_cert)
{
    make_ca("ca.key", "ca.pem");
    char want[4096];
    snprintf(want, sizeof want, "%s is not a PEM certificate", path("ca.key"));

    vt_cert_info info;
    ck_assert_int_eq(vt_certs_read_info(path("ca.key"), &info), -EINVAL);
    assert_error_has(want);
    ck_assert_int_eq(vt_certs_verify(path("ca.pem"), path("ca.key")), -EINVAL);
    assert_error_has(want);
    ck_assert_int_eq(vt_certs_verify(path("ca.key"), path("ca.pem")), -EINVAL);
    assert_error_has(want);

    /* And the other way round when signing. */
    make_csr("c.key", "c.csr", &client_subject);
    int rc = vt_certs_sign_csr(path("ca.key"), path("ca.key"), path("c.csr"), VT_CERT_CLIENT, 1,
                               path("c.pem"));
    ck_assert_int_eq(rc, -EINVAL);
    assert_error_has(want);
    rc = vt_certs_sign_csr(path("ca.pem"), path("ca.pem"), path("c.csr"), VT_CERT_CLIENT, 1,
                           path("c.pem"));
    ck_assert_int_eq(rc, -EINVAL);
    snprintf(want, sizeof want, "%s is not a PEM private key", path("ca.pem"));
    assert_error_has(want);
    ck_assert(!vt_fs_exists(path("c.pem")));
}
END_TEST

START_TEST(test_ca_key_mismatch)
{
    make_ca("ca.key", "ca.pem");
    make_ca("other.key", "other.pem");
    make_csr("c.key", "c.csr", &client_subject);
    int rc = vt_certs_sign_csr(path("ca.pem"), path("other.key"), path("c.csr"), VT_CERT_CLIENT, 30,
                               path("c.pem"));
    ck_assert_int_eq(rc, -EINVAL);
    assert_error_has("does not match");
    assert_error_has(path("other.key"));
    assert_error_has(path("ca.pem"));
    ck_assert(!vt_fs_exists(path("c.pem")));
}
END_TEST

START_TEST(test_not_a_ca)
{
    make_ca("ca.key", "ca.pem");
    make_csr("s.key", "s.csr", &server_subject);
    sign("s.csr", VT_CERT_SERVER, 30, "s.pem");
    make_csr("c.key", "c.csr", &client_subject);
    int rc = vt_certs_sign_csr(path("s.pem"), path("s.key"), path("c.csr"), VT_CERT_CLIENT, 30,
                               path("c.pem"));
    ck_assert_int_eq(rc, -EINVAL);
    assert_error_has("is not a CA certificate");
    assert_error_has(path("s.pem"));
    ck_assert(!vt_fs_exists(path("c.pem")));
}
END_TEST

START_TEST(test_bad_days)
{
    static const int bad[] = {0, -1, INT_MIN};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = vt_certs_create_ca(path("ca.key"), path("ca.pem"), &ca_subject, bad[i]);
        ck_assert_int_eq(rc, -EINVAL);
        assert_error_has("valid for at least one day");
        ck_assert(!vt_fs_exists(path("ca.key")));
        ck_assert(!vt_fs_exists(path("ca.pem")));
    }
    /* Past the year 9999 OpenSSL cannot encode the date; no files either. */
    ck_assert_int_lt(vt_certs_create_ca(path("ca.key"), path("ca.pem"), &ca_subject, INT_MAX), 0);
    assert_error_has("days");
    ck_assert(!vt_fs_exists(path("ca.key")));

    make_ca("ca.key", "ca.pem");
    make_csr("c.key", "c.csr", &client_subject);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = vt_certs_sign_csr(path("ca.pem"), path("ca.key"), path("c.csr"), VT_CERT_CLIENT,
                                   bad[i], path("c.pem"));
        ck_assert_int_eq(rc, -EINVAL);
        assert_error_has("valid for at least one day");
        ck_assert(!vt_fs_exists(path("c.pem")));
    }
}
END_TEST

START_TEST(test_missing_common_name)
{
    vt_cert_subject no_cn = ca_subject;
    no_cn.common_name = NULL;
    vt_cert_subject empty_cn = ca_subject;
    empty_cn.common_name = "";
    const vt_cert_subject *bad[] = {&no_cn, &empty_cn, NULL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(vt_certs_create_ca(path("ca.key"), path("ca.pem"), bad[i], 30), -EINVAL);
        assert_error_has("common_name");
        ck_assert_int_eq(vt_certs_create_csr(path("c.key"), path("c.csr"), bad[i]), -EINVAL);
        assert_error_has("common_name");
    }
    ck_assert(!vt_fs_exists(path("ca.key")));
    ck_assert(!vt_fs_exists(path("ca.pem")));
    ck_assert(!vt_fs_exists(path("c.key")));
    ck_assert(!vt_fs_exists(path("c.csr")));
}
END_TEST

START_TEST(test_bad_subject_fields)
{
    vt_cert_subject s = ca_subject;
    s.country = "USA";
    ck_assert_int_eq(vt_certs_create_ca(path("ca.key"), path("ca.pem"), &s, 30), -EINVAL);
    assert_error_has("two-letter");
    /* Longer than the 64 characters X.520 allows a CN: OpenSSL refuses, and
     * nothing is written. */
    s = ca_subject;
    s.common_name = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
    ck_assert_int_eq(vt_certs_create_csr(path("c.key"), path("c.csr"), &s), -EINVAL);
    assert_error_has("CN=");
    ck_assert(!vt_fs_exists(path("c.key")));
    ck_assert(!vt_fs_exists(path("ca.key")));
}
END_TEST

START_TEST(test_bad_csr_signature)
{
    make_ca("ca.key", "ca.pem");
    make_csr("c.key", "c.csr", &client_subject);
    /* Swap in another public key after signing: the CSR parses but its
     * signature no longer matches the key it carries. */
    X509_REQ *req = load_req(path("c.csr"));
    EVP_PKEY *other = load_key(path("ca.key"));
    ck_assert_int_eq(X509_REQ_set_pubkey(req, other), 1);
    BIO *bio = BIO_new_file(path("forged.csr"), "w");
    ck_assert_int_eq(PEM_write_bio_X509_REQ(bio, req), 1);
    BIO_free(bio);
    EVP_PKEY_free(other);
    X509_REQ_free(req);

    int rc = vt_certs_sign_csr(path("ca.pem"), path("ca.key"), path("forged.csr"), VT_CERT_CLIENT,
                               30, path("c.pem"));
    ck_assert_int_eq(rc, -EBADMSG);
    assert_error_has(path("forged.csr"));
    assert_error_has("bad signature");
    ck_assert(!vt_fs_exists(path("c.pem")));
    /* Control: the untouched CSR signs. */
    sign("c.csr", VT_CERT_CLIENT, 30, "c.pem");
}
END_TEST

START_TEST(test_encrypted_key)
{
    make_ca("ca.key", "ca.pem");
    make_csr("c.key", "c.csr", &client_subject);
    EVP_PKEY *key = load_key(path("ca.key"));
    BIO *bio = BIO_new_file(path("ca-enc.key"), "w");
    ck_assert_int_eq(
        PEM_write_bio_PrivateKey(bio, key, EVP_aes_256_cbc(), NULL, 0, NULL, (void *)"secret"), 1);
    BIO_free(bio);
    EVP_PKEY_free(key);

    /* Must fail without prompting for a password. */
    int rc = vt_certs_sign_csr(path("ca.pem"), path("ca-enc.key"), path("c.csr"), VT_CERT_CLIENT,
                               30, path("c.pem"));
    ck_assert_int_eq(rc, -EINVAL);
    assert_error_has(path("ca-enc.key"));
    assert_error_has("encrypted");
}
END_TEST

START_TEST(test_server_cn_not_a_dns_name)
{
    make_ca("ca.key", "ca.pem");
    vt_cert_subject s = {.common_name = "evil.org,DNS:bank.example"};
    make_csr("c.key", "c.csr", &s);
    int rc = vt_certs_sign_csr(path("ca.pem"), path("ca.key"), path("c.csr"), VT_CERT_SERVER, 30,
                               path("c.pem"));
    ck_assert_int_eq(rc, -EINVAL);
    assert_error_has("DNS name");
    assert_error_has(path("c.csr"));
    ck_assert(!vt_fs_exists(path("c.pem")));
    /* As a client certificate the CN is only a name. */
    sign("c.csr", VT_CERT_CLIENT, 30, "c.pem");
    vt_cert_info info;
    ck_assert_int_eq(vt_certs_read_info(path("c.pem"), &info), 0);
    ck_assert_str_eq(info.common_name, "evil.org,DNS:bank.example");
}
END_TEST

START_TEST(test_bad_arguments)
{
    vt_cert_info info;
    ck_assert_int_eq(vt_certs_read_info(NULL, &info), -EINVAL);
    ck_assert_int_eq(vt_certs_read_info("x.pem", NULL), -EINVAL);
    ck_assert_int_eq(vt_certs_verify(NULL, "x.pem"), -EINVAL);
    ck_assert_int_eq(vt_certs_verify("ca.pem", ""), -EINVAL);
    ck_assert_int_eq(vt_certs_create_ca(NULL, path("ca.pem"), &ca_subject, 1), -EINVAL);
    ck_assert_int_eq(vt_certs_create_csr(path("k"), NULL, &ca_subject), -EINVAL);
    /* One path for both outputs would lose the key. */
    ck_assert_int_eq(vt_certs_create_ca(path("same"), path("same"), &ca_subject, 1), -EINVAL);
    ck_assert_int_eq(vt_certs_sign_csr(path("ca.pem"), path("ca.key"), path("c.csr"),
                                       (vt_cert_kind)42, 1, path("c.pem")),
                     -EINVAL);
    assert_error_has("kind");
    /* Writing over the CA is refused before anything is read. */
    ck_assert_int_eq(vt_certs_sign_csr(path("ca.pem"), path("ca.key"), path("c.csr"),
                                       VT_CERT_CLIENT, 1, path("ca.key")),
                     -EINVAL);
    assert_error_has("CA");
    ck_assert(!vt_fs_exists(path("same")));
    ck_assert(!vt_fs_exists(path("ca.key")));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("certs");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    /* RSA key generation is slow under valgrind. */
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_ca_created);
    tcase_add_test(tc, test_ca_serials_differ);
    tcase_add_test(tc, test_utf8_subject);
    tcase_add_test(tc, test_sign_server_and_client);
    tcase_add_test(tc, test_verify_other_ca_fails);
    tcase_add_test(tc, test_expired);
    tcase_add_test(tc, test_missing_files);
    tcase_add_test(tc, test_garbage_csr);
    tcase_add_test(tc, test_key_is_not_a_cert);
    tcase_add_test(tc, test_ca_key_mismatch);
    tcase_add_test(tc, test_not_a_ca);
    tcase_add_test(tc, test_bad_days);
    tcase_add_test(tc, test_missing_common_name);
    tcase_add_test(tc, test_bad_subject_fields);
    tcase_add_test(tc, test_bad_csr_signature);
    tcase_add_test(tc, test_encrypted_key);
    tcase_add_test(tc, test_server_cn_not_a_dns_name);
    tcase_add_test(tc, test_bad_arguments);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
