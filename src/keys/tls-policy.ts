/**
 * What the gateway's TLS listener offers: forward secrecy and authenticated encryption
 * only (Mozilla's "intermediate" profile without the finite-field DHE suites). TLS 1.2
 * is limited to ECDHE key exchange with AES-GCM or ChaCha20-Poly1305; CBC, CCM, RSA key
 * transport and SHA-1 MACs are never negotiated, whatever a client asks for.
 */

/** TLS 1.3 suites (all AEAD), then the TLS 1.2 ones, in one OpenSSL cipher string as node:tls takes it. */
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** Key-exchange groups, most preferred first. */
export const TLS_ECDH_CURVES = 'X25519:prime256v1:secp384r1';
