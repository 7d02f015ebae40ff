"""An independent ActivityPub server for the tests (decision 0096: bovine-herd is the main remote side): another implementation than
ours — http.server and urllib, its own signing and checking on `cryptography` — so a mistake
shared by both sides cannot pass. One person, alice, on 127.0.0.1 at an ephemeral port: she is
found by WebFinger, keeps what is delivered to her inbox (after checking its signature against
the sender's key, fetched from the sender), and can follow, reply, like, edit and delete."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import urllib.error
import urllib.request
import uuid
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

AP = "application/activity+json"


class Peer:
    def __init__(self, name: str = "alice") -> None:
        self.name = name
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.inbox_items: list[dict[str, Any]] = []
        self.refused: list[str] = []
        self.notes: dict[str, dict[str, Any]] = {}
        self.keys: dict[str, dict[str, Any]] = {}
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                peer._get(self)

            def do_POST(self) -> None:
                peer._post(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.actor_id = f"{self.base}/users/{name}"
        self.inbox = f"{self.actor_id}/inbox"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()  # fmt: skip

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- what alice's server serves ---------------------------------------------------------
    def actor_document(self) -> dict[str, Any]:
        pem = self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": self.actor_id, "type": "Person", "preferredUsername": self.name,
            "name": self.name.title() + " <b>Remote</b>", "inbox": self.inbox,
            "url": f"{self.base}/@{self.name}", "icon": {"type": "Image", "url": f"{self.base}/a.png"},
            "publicKey": {"id": f"{self.actor_id}#main-key", "owner": self.actor_id,
                          "publicKeyPem": pem.decode()},
        }  # fmt: skip

    def _get(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?", 1)[0]
        document = self.actor_document() if path == f"/users/{self.name}" else None
        document = document or self.notes.get(f"{self.base}{path}")
        body = json.dumps(document).encode() if document else b"{}"
        handler.send_response(200 if document else 404)
        handler.send_header("Content-Type", AP)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _post(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        problem = self._check(handler, body)
        if problem:
            self.refused.append(problem)
        else:
            self.inbox_items.append(json.loads(body))
        handler.send_response(401 if problem else 202)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def _check(self, handler: BaseHTTPRequestHandler, body: bytes) -> str:
        """Alice's server's own check of a signed delivery."""
        fields = {}
        for part in handler.headers.get("Signature", "").split(","):
            name, _, value = part.partition("=")
            fields[name.strip()] = value.strip().strip('"')
        wanted = "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
        if handler.headers.get("Digest") != wanted:
            return "digest"
        try:  # keys are kept once fetched, as servers do (a Delete of an actor is verified so)
            key_id = fields["keyId"].split("#")[0]
            sender = self.keys.get(key_id) or self.fetch(key_id)
            self.keys[key_id] = sender
        except (KeyError, OSError, ValueError):
            return "no key"
        lines = []
        for name in fields.get("headers", "").split():
            value = f"post {handler.path}" if name == "(request-target)" else handler.headers[name]
            lines.append(f"{name}: {value}")
        public = serialization.load_pem_public_key(sender["publicKey"]["publicKeyPem"].encode())
        try:
            public.verify(
                base64.b64decode(fields["signature"]),
                "\n".join(lines).encode(),  # type: ignore[union-attr, call-arg]
                padding.PKCS1v15(),
                hashes.SHA256(),
            )  # type: ignore[call-arg, arg-type]
        except Exception:
            return "signature"
        return ""

    # --- what alice does ------------------------------------------------------------------
    def fetch(self, url: str) -> dict[str, Any]:
        request = urllib.request.Request(url, headers={"Accept": AP})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())  # type: ignore[no-any-return]

    def webfinger(self, account: str) -> str:
        host = account.rsplit("@", 1)[1]
        url = f"http://{host}/.well-known/webfinger?resource=acct:{account}"
        found = json.loads(urllib.request.urlopen(url, timeout=10).read())
        return next(link["href"] for link in found["links"] if link["rel"] == "self")

    def follow(self, site: str, username: str) -> str:
        """Follow `username` of `site` (found with WebFinger); their actor's id."""
        actor_id = self.webfinger(f"{username}@{site.split('://', 1)[1]}")
        status = self.send(f"{actor_id}/inbox", self.activity("Follow", actor_id))
        assert status == 202, f"the Follow was answered {status}"
        return actor_id

    def signed_headers(self, url: str, body: bytes, *, date: str | None = None,
                       key: rsa.RSAPrivateKey | None = None, key_id: str | None = None) -> dict[str, str]:  # fmt: skip
        parts = urlsplit(url)
        values = {
            "(request-target)": f"post {parts.path}",
            "host": parts.netloc,
            "date": date or formatdate(usegmt=True),
            "digest": "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode(),
        }
        text = "\n".join(f"{name}: {value}" for name, value in values.items()).encode()
        signature = (key or self.key).sign(text, padding.PKCS1v15(), hashes.SHA256())
        header = (f'keyId="{key_id or self.actor_id + "#main-key"}",algorithm="rsa-sha256",'
                  f'headers="(request-target) host date digest",'
                  f'signature="{base64.b64encode(signature).decode()}"')  # fmt: skip
        return {"Host": values["host"], "Date": values["date"], "Digest": values["digest"],
                "Signature": header, "Content-Type": AP}  # fmt: skip

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    def send(self, inbox: str, activity: dict[str, Any]) -> int:
        body = json.dumps(activity).encode()
        return self.post(inbox, body, self.signed_headers(inbox, body))

    def activity(self, kind: str, obj: Any, **extra: Any) -> dict[str, Any]:
        return {"@context": "https://www.w3.org/ns/activitystreams",
                "id": f"{self.base}/activities/{uuid.uuid4()}", "type": kind,
                "actor": self.actor_id, "object": obj, **extra}  # fmt: skip

    def note(self, in_reply_to: str, html: str) -> dict[str, Any]:
        note_id = f"{self.base}/notes/{uuid.uuid4()}"
        note = {"id": note_id, "type": "Note", "attributedTo": self.actor_id, "content": html,
                "inReplyTo": in_reply_to, "url": f"{self.base}/@{self.name}/{note_id[-8:]}",
                "published": "2026-01-02T03:04:05Z",
                "to": ["https://www.w3.org/ns/activitystreams#Public"]}  # fmt: skip
        self.notes[note_id] = note
        return note
