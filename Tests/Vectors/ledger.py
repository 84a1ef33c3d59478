# Ledger test vectors (docs/FORMAT.md section 12), computed independently with hashlib and PyNaCl.
# The values are pasted into Tests/AmanatFormatTests/LedgerTests.swift. Run: python3 Tests/Vectors/ledger.py
import hashlib, struct, base64
from nacl.signing import SigningKey
def b2(*parts, key=b''):
    h = hashlib.blake2b(digest_size=32, key=key)
    for p in parts: h.update(p)
    return h.digest()
lp = lambda b: struct.pack('>I', len(b)) + b
u64 = lambda n: struct.pack('>Q', n)
seed = bytes(range(1, 33))
sk = SigningKey(seed); pk = bytes(sk.verify_key)
rid = bytes.fromhex('00112233445566778899aabbccddeeff')
genesis = b2(b'amanat-ledger-genesis-v1', pk)
clear = '{"language":"kk"}'.encode()
ident = bytes([1,2,3]); test = bytes([4,5])
d = b2(b'amanat-record-v1', rid, lp(b'testimony'), u64(1), lp(b'2026-11-29'), lp(clear), lp(ident), lp(test))
e1 = b2(b'amanat-ledger-entry-v1', u64(1), bytes([1]), rid, d, genesis)
w = b2(b'amanat-withdrawn-v1', rid, lp(b'testimony'), u64(1), lp(b'2026-11-29'))
e2 = b2(b'amanat-ledger-entry-v1', u64(2), bytes([2]), rid, w, e1)
cp = sk.sign(b'amanat-checkpoint-v1' + pk + u64(2) + e2 + u64(1)).signature
rc = sk.sign(b'amanat-receipt-v1' + pk + rid + u64(1) + e1).signature
kw = b2(b'amanat-withdrawal-key-v1', key=seed)
tok = bytes([0xAA]*32)
th = b2(b'amanat-withdrawal-token-v1', rid, tok, key=kw)
chk = b2(b'amanat-sig-v1', pk)[:4]
b32 = base64.b32encode(pk+chk).decode().lower().rstrip('=')
# A rewrap entry (kind 3) names its signer, whose 32 bytes end the hashed bytes (section 12.3); here the signer is
# the same test key. A rewrap file's signature covers "amanat-rewrap-signature-v1" || signer || digest (section 9.1).
e3 = b2(b'amanat-ledger-entry-v1', u64(3), bytes([3]), rid, d, e2, pk)
rdigest = bytes(range(32))
rs = sk.sign(b'amanat-rewrap-signature-v1' + pk + rdigest).signature
print('rewrapEntry3', e3.hex())
print('rewrapSig', rs.hex())
for k,v in [('pk',pk),('genesis',genesis),('recordDigest',d),('entry1',e1),('withdrawnDigest',w),('entry2',e2),('checkpointSig',cp),('receiptSig',rc),('tokenHash',th)]:
    print(k, v.hex())
print('pktext', 'amanat-sig-'+b32)
# Evidence (section 12.3, 12.4): an attachment (kind 4) and an addendum (kind 5) of the record, after entry 1.
aid = bytes(range(0x10, 0x20)); adid = bytes(range(0x20, 0x30))
aenv = bytes([6, 7, 8]); sha = hashlib.sha256(b'stream').digest(); adenv = bytes([9])
ad = b2(b'amanat-attachment-v1', rid, aid, u64(1), lp(b'identity'), lp(aenv), u64(1070), sha)
e2a = b2(b'amanat-ledger-entry-v1', u64(2), bytes([4]), rid, ad, e1)
dd = b2(b'amanat-addendum-v1', rid, adid, u64(1), lp(adenv))
e3a = b2(b'amanat-ledger-entry-v1', u64(3), bytes([5]), rid, dd, e2a)
ad2 = b2(b'amanat-attachment-v1', rid, aid, u64(2), lp(b'testimony'), lp(aenv), u64(1070), sha)
for k,v in [('ciphertextSHA256', sha), ('attachmentDigest', ad), ('attachmentEntry2', e2a), ('addendumDigest', dd),
            ('addendumEntry3', e3a), ('attachmentDigestPosition2Testimony', ad2)]:
    print(k, v.hex())
