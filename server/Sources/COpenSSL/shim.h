#ifndef FIELDSYNC_COPENSSL_SHIM_H
#define FIELDSYNC_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#endif
