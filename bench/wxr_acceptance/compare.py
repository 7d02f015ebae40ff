"""What WordPress stored after importing our WXR, compared field by field with our own data.

    python compare.py SITE.json WORDPRESS-DUMP.json SITE.xml SITE_URL

SITE.json is `broadsheet export json` and SITE.xml `broadsheet export wordpress` of the same
database; WORDPRESS-DUMP.json is dump.php's output after import.php. Prints the number of
posts, comments and fields compared, then every difference (or "no differences").
See docs/decisions/0016-wxr-export-checked-against-wordpress.md.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime
from typing import Any

from lxml import etree

NS = {
    "wp": "http://wordpress.org/export/1.2/",
    "content": "http://purl.org/rss/1.0/modules/content/",
}
STATUS = {"draft": "draft", "scheduled": "future", "published": "publish", "private": "private"}
APPROVED = {"approved": "1", "pending": "0", "spam": "spam", "trash": "trash"}
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def gmt(iso: str | None) -> str:
    if not iso:
        return "0000-00-00 00:00:00"
    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


class Comparison:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.counts = {"posts": 0, "comments": 0, "fields": 0}

    def check(self, what: str, ours: Any, theirs: Any) -> None:
        self.counts["fields"] += 1
        if ours != theirs:
            self.problems.append(f"{what}: ours {ours!r}, WordPress {theirs!r}")


def main(ours_path: str, wp_path: str, xml_path: str, site_url: str) -> None:
    with open(ours_path, encoding="utf-8") as f:
        ours = json.load(f)
    with open(wp_path, encoding="utf-8") as f:
        wp = json.load(f)
    items = etree.parse(xml_path).findall("channel/item")
    content = {
        int(i.findtext("wp:post_id", namespaces=NS)): i.findtext("content:encoded", namespaces=NS)
        for i in items
    }
    accounts = {a["id"]: a for a in ours["accounts"]}
    by_guid = {p["guid"]: p for p in wp["posts"]}
    comments: dict[int, list[dict[str, Any]]] = {}
    for comment in ours["comments"]:
        comments.setdefault(comment["post"], []).append(comment)
    c = Comparison()

    for post in ours["posts"]:
        where = f"post {post['id']} ({post['slug']})"
        w = by_guid.get(f"{site_url}/?p={post['id']}")
        if w is None:
            c.problems.append(f"{where}: not in WordPress")
            continue
        c.counts["posts"] += 1
        first = accounts[post["authors"][0]]["username"] if post["authors"] else ""
        parent = f"{site_url}/?p={post['parent']}" if post["parent"] else ""
        c.check(f"{where} title", NOT_XML.sub("", post["title"]), w["title"])
        c.check(f"{where} slug", post["slug"], w["name"])
        c.check(f"{where} type", post["kind"], w["type"])
        c.check(f"{where} status", STATUS[post["status"]], w["status"])
        c.check(f"{where} date_gmt", gmt(post["published_at"]), w["date_gmt"])
        c.check(f"{where} parent", parent, w["parent_guid"])
        c.check(f"{where} menu_order", post["menu_order"], w["menu_order"])
        c.check(f"{where} author", first, w["author"])
        c.check(f"{where} sticky", post["sticky"], w["sticky"])
        c.check(
            f"{where} comments open",
            "open" if post["comments_open"] else "closed",
            w["comment_status"],
        )
        c.check(f"{where} content", content[post["id"]], w["content"])
        c.check(
            f"{where} markdown",
            NOT_XML.sub("", post["body"]),
            w["meta"].get("_broadsheet_markdown"),
        )
        if post["references"]:
            stored = json.loads(w["meta"]["_broadsheet_references"])
            c.check(f"{where} references", post["references"], stored)
        if "<br />" in w["rendered"] and "<br" not in post["body_html"]:
            c.problems.append(f"{where}: WordPress added line breaks to the body")
        mine = sorted(comments.get(post["id"], []), key=lambda x: x["id"])
        theirs = [
            dict(v, id=int(k))
            for k, v in sorted((w["comments"] or {}).items(), key=lambda kv: int(kv[0]))
        ]
        c.check(f"{where} number of comments", len(mine), len(theirs))
        ids: dict[int, int] = {}
        for comment, stored in zip(mine, theirs, strict=False):
            ids[comment["id"]] = stored["id"]
            here = f"{where} comment {comment['id']}"
            c.counts["comments"] += 1
            user = accounts[comment["user"]] if comment["user"] else None
            name = comment["author_name"] or (
                (user["profile"] or {}).get("display_name") or user["username"] if user else ""
            )
            c.check(f"{here} author", name, stored["author"])
            c.check(
                f"{here} email",
                comment["author_email"] or (user["email"] if user else ""),
                stored["email"],
            )
            c.check(f"{here} url", comment["author_url"], stored["url"])
            c.check(f"{here} ip", comment["ip_address"] or "", stored["ip"])
            c.check(f"{here} date_gmt", gmt(comment["created_at"]), stored["date_gmt"])
            c.check(f"{here} content", NOT_XML.sub("", comment["body"]), stored["content"])
            c.check(f"{here} status", APPROVED[comment["status"]], stored["approved"])
            kind = "comment" if comment["kind"] == "comment" else comment["kind"]
            c.check(f"{here} type", kind, stored["type"])
            c.check(
                f"{here} parent",
                ids.get(comment["parent"], -1) if comment["parent"] else 0,
                stored["parent"],
            )
            c.check(f"{here} account", user["username"] if user else "", stored["user"])
            if comment["removed"]:
                c.check(f"{here} removed", "1", stored["meta"].get("_broadsheet_removed"))
        approved = sum(1 for x in mine if x["status"] == "approved")  # tombstones included
        c.check(f"{where} comment_count", approved, w["comment_count"])

    for account in ours["accounts"]:
        user = wp["users"].get(account["username"])
        if user is None:
            c.problems.append(f"account {account['username']}: no WordPress user")
        elif account["username"] != "admin":  # WordPress's own admin: the import maps onto it
            c.check(f"account {account['username']} email", account["email"], user["email"])
            c.check(
                f"account {account['username']} first name",
                account["first_name"],
                user["first_name"],
            )
            c.check(
                f"account {account['username']} last name", account["last_name"], user["last_name"]
            )

    print(json.dumps(c.counts))
    print("\n".join(c.problems) or "no differences")


if __name__ == "__main__":
    main(*sys.argv[1:5])
