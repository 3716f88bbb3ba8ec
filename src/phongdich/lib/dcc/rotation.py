"""Key rotation: several document signers, all trusted, exactly one issuing.

A DSC is replaced long before it expires: the new one starts issuing while certificates signed
by the old one stay valid, so verifiers keep trusting the old key until the last certificate
it signed has expired — then it is retired and removed from the trust list.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from phongdich.lib.dcc.issuance import issue_hc1
from phongdich.lib.dcc.keys import DocumentSigner
from phongdich.lib.dcc.trust import TrustList

__all__ = ["KeyRing"]


class KeyRing:
    """Document signers by ``kid``; :attr:`active` is the one that signs new certificates."""

    def __init__(self, signers: Iterable[DocumentSigner], *, active_kid: bytes | None = None):
        self._signers: dict[bytes, DocumentSigner] = {}
        for signer in signers:
            self._signers[signer.kid] = signer
        if not self._signers:
            raise ValueError("a key ring needs at least one document signer")
        self._active = active_kid if active_kid is not None else next(reversed(self._signers))
        if self._active not in self._signers:
            raise KeyError("active_kid is not in the key ring")

    @property
    def active(self) -> DocumentSigner:
        return self._signers[self._active]

    def __iter__(self) -> Iterator[DocumentSigner]:
        return iter(self._signers.values())

    def __len__(self) -> int:
        return len(self._signers)

    def add(self, signer: DocumentSigner, *, activate: bool = True) -> None:
        """Add a signer; by default it becomes the issuing one (the usual rotation step)."""
        self._signers[signer.kid] = signer
        if activate:
            self._active = signer.kid

    def activate(self, kid: bytes) -> None:
        if kid not in self._signers:
            raise KeyError("no signer with this kid")
        self._active = kid

    def retire(self, kid: bytes) -> None:
        """Drop a signer; certificates it signed stop verifying against :meth:`trust_list`."""
        if kid == self._active:
            raise ValueError("activate another signer before retiring the active one")
        self._signers.pop(kid, None)

    def trust_list(self) -> TrustList:
        """Every signer in the ring, for publishing to verifiers."""
        return TrustList(signer.certificate for signer in self._signers.values())

    def issue(self, dcc: Any, **options: Any) -> str:
        """:func:`~phongdich.lib.dcc.issuance.issue_hc1` with the active signer."""
        return issue_hc1(dcc, self.active, **options)
