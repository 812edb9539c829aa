/* X.509 certificates (OpenSSL), as VOLTTRON's certs module makes them for
 * RabbitMQ and web TLS: a self-signed CA, keys and CSRs, CSRs signed by the
 * CA into server or client certificates, and verification. Keys are RSA 2048
 * and signatures SHA-256; everything is read and written as PEM files, with
 * private keys created mode 0600.
 */
#ifndef VT_UTILS_CERTS_H
#define VT_UTILS_CERTS_H

#include <stdint.h>
#include <time.h>

#include <volttron/utils/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Distinguished name fields; NULL or "" fields are left out. common_name is
 * required. */
typedef struct vt_cert_subject {
    const char *country;           /* C, two letters */
    const char *state;             /* ST */
    const char *locality;          /* L */
    const char *organization;      /* O */
    const char *organization_unit; /* OU */
    const char *common_name;       /* CN */
} vt_cert_subject;

typedef enum vt_cert_kind {
    VT_CERT_SERVER, /* serverAuth, CN also as a DNS subjectAltName */
    VT_CERT_CLIENT, /* clientAuth */
} vt_cert_kind;

/* What vt_certs_read_info reports. */
typedef struct vt_cert_info {
    char subject[512]; /* one line, e.g. "C=US, O=PNNL, CN=volttron-ca" */
    char issuer[512];
    char common_name[256];
    time_t not_before;
    time_t not_after;
    char serial[80]; /* hex */
    int is_ca;       /* basicConstraints CA:TRUE */
} vt_cert_info;

/* Create a CA: a new key (key_path, 0600) and a self-signed CA certificate
 * (cert_path) valid for days. Returns 0 or a negative errno with a message. */
VT_UTILS_EXPORT int vt_certs_create_ca(const char *key_path, const char *cert_path,
                                       const vt_cert_subject *subject, int days);

/* Create a key (key_path, 0600) and a CSR for it (csr_path). */
VT_UTILS_EXPORT int vt_certs_create_csr(const char *key_path, const char *csr_path,
                                        const vt_cert_subject *subject);

/* Sign the CSR at csr_path with the CA (ca_cert_path, ca_key_path) into a
 * certificate of the given kind valid for days, written to cert_path. The
 * CSR's own signature is checked first. */
VT_UTILS_EXPORT int vt_certs_sign_csr(const char *ca_cert_path, const char *ca_key_path,
                                      const char *csr_path, vt_cert_kind kind, int days,
                                      const char *cert_path);

/* Verify cert_path against the CA at ca_cert_path (signature chain and
 * validity period). Returns 0, or -EBADMSG with OpenSSL's reason
 * ("certificate has expired", ...) in the message. */
VT_UTILS_EXPORT int vt_certs_verify(const char *ca_cert_path, const char *cert_path);

/* Read subject, issuer, validity and serial of a PEM certificate. */
VT_UTILS_EXPORT int vt_certs_read_info(const char *cert_path, vt_cert_info *out);

#ifdef __cplusplus
}
#endif

#endif
