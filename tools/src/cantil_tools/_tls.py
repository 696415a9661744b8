"""Throw-away TLS certificates for the test server, made with the `openssl` command at test time.

A private CA (`ca.pem`, the file a client passes as its CA bundle) signs a server certificate for `127.0.0.1`
(subjectAltName IP, which is what clients match for an IP URL; the CN is ignored). Both last two days.

Traps: clients that verify strictly (Python 3.13's default context sets VERIFY_X509_STRICT) refuse a CA without
keyUsage and a leaf without authorityKeyIdentifier, so both are written; a self-signed leaf used as its own CA is
refused by some of them, hence the separate CA.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cantil_tools.errors import ToolsError

__all__ = ["TestCertificates", "make_test_certificates"]

_LEAF_EXTENSIONS = """\
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
"""


@dataclass(frozen=True)
class TestCertificates:
    """Paths of a test CA and of a server certificate and key it signed (PEM)."""

    __test__ = False  # not a pytest test class

    ca: Path
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, self.key)
        return ctx


def _openssl(*args: str, cwd: Path) -> None:
    exe = shutil.which("openssl")
    if exe is None:
        raise ToolsError("the openssl command is needed to make test certificates and is not on PATH")
    proc = subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise ToolsError(f"openssl {args[0]} failed: {last}")


def make_test_certificates(folder: Path | str) -> TestCertificates:
    """Write `ca.pem`, `ca.key`, `cert.pem`, `key.pem` into `folder` (created) and return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=cantil test CA",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             "-addext", "subjectKeyIdentifier=hash", cwd=folder)
    _openssl("req", *ec, "-keyout", "key.pem", "-out", "server.csr", "-subj", "/CN=127.0.0.1", cwd=folder)
    (folder / "server.ext").write_text(_LEAF_EXTENSIONS)
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "cert.pem", "-days", "2", "-extfile", "server.ext", cwd=folder)
    return TestCertificates(folder / "ca.pem", folder / "cert.pem", folder / "key.pem")
