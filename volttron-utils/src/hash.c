#include <stdlib.h>

#include <openssl/evp.h>

#include <volttron/utils/hash.h>
#include <volttron/utils/mem.h>

struct vt_sha512_ctx {
    EVP_MD_CTX *md;
};

vt_sha512_ctx *vt_sha512_new(void)
{
    vt_sha512_ctx *c = vt_malloc(sizeof *c);
    c->md = EVP_MD_CTX_new();
    /* only fails without memory, which vt_malloc treats as fatal too */
    if (!c->md || EVP_DigestInit_ex(c->md, EVP_sha512(), NULL) != 1)
        abort();
    return c;
}

void vt_sha512_update(vt_sha512_ctx *c, const void *data, size_t len)
{
    if (len)
        EVP_DigestUpdate(c->md, data, len);
}

void vt_sha512_final(vt_sha512_ctx **cp, unsigned char out[VT_SHA512_SIZE])
{
    vt_sha512_ctx *c = *cp;
    unsigned int n = 0;
    EVP_DigestFinal_ex(c->md, out, &n);
    EVP_MD_CTX_free(c->md);
    free(c);
    *cp = NULL;
}

void vt_sha512(const void *data, size_t len, unsigned char out[VT_SHA512_SIZE])
{
    vt_sha512_ctx *c = vt_sha512_new();
    vt_sha512_update(c, data, len);
    vt_sha512_final(&c, out);
}
