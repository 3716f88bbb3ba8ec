"""HTTP Digest authentication for SIP (RFC 3261 §22.4, RFC 2617 MD5 with qop=auth).

A trunk answers an unauthenticated INVITE with 401 (WWW-Authenticate) or 407
(Proxy-Authenticate); the INVITE is sent again once with the matching credentials.
"""

from __future__ import annotations

import hashlib
import re
import secrets

_PARAM = re.compile(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))')


class DigestError(ValueError):
    """A challenge we cannot answer (not Digest, or an unsupported algorithm)."""


def parse_challenge(value: str) -> dict[str, str]:
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "digest":
        raise DigestError(f"not a Digest challenge: {scheme!r}")
    params = {
        m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
        for m in _PARAM.finditer(rest)
    }
    if "nonce" not in params or "realm" not in params:
        raise DigestError("challenge without realm or nonce")
    algorithm = params.get("algorithm", "MD5").upper()
    if algorithm != "MD5":
        raise DigestError(f"unsupported digest algorithm: {algorithm}")
    return params


def _md5(text: str) -> str:
    # MD5 is what RFC 3261 digest requires; this is protocol conformance, not password storage.
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def authorization(
    challenge: str,
    method: str,
    uri: str,
    username: str,
    password: str,
    cnonce: str | None = None,
    nonce_count: int = 1,
) -> str:
    """The Authorization (or Proxy-Authorization) header value answering ``challenge``."""
    params = parse_challenge(challenge)
    realm, nonce = params["realm"], params["nonce"]
    ha1 = _md5(f"{username}:{realm}:{password}")
    ha2 = _md5(f"{method}:{uri}")
    qops = [q.strip() for q in params.get("qop", "").split(",") if q.strip()]
    fields = [
        f'username="{username}"',
        f'realm="{realm}"',
        f'nonce="{nonce}"',
        f'uri="{uri}"',
        "algorithm=MD5",
    ]
    if "auth" in qops:
        cnonce = cnonce or secrets.token_hex(8)
        nc = f"{nonce_count:08x}"
        response = _md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
        fields += ["qop=auth", f"nc={nc}", f'cnonce="{cnonce}"']
    elif qops:
        raise DigestError(f"unsupported qop: {qops}")
    else:
        response = _md5(f"{ha1}:{nonce}:{ha2}")
    fields.insert(4, f'response="{response}"')
    if "opaque" in params:
        fields.append(f'opaque="{params["opaque"]}"')
    return "Digest " + ", ".join(fields)
