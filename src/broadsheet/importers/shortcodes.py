"""WordPress's core shortcodes in imported posts, turned into what they showed on the old site.

`[caption]` becomes a figure with its caption, `[gallery]` a figure of the attachments' images,
`[embed]` a link to what was embedded (iframes from other sites are not shown here), `[audio]`
and `[video]` a player with a link to the file. Each is replaced by a placeholder before the
post's HTML becomes Markdown and the finished HTML or Markdown put back after, so the converter
never rewrites it. Any other shortcode was drawn by a plugin this site does not have: it stays
as text and is counted, so the report can name it.

Attributes are read as WordPress's shortcode_parse_atts reads them, and also with the curly
quotes a word processor or wptexturize leaves (`[caption width=”300″]`).
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from broadsheet.core.webaddress import is_web_address

CONVERTED = ("caption", "wp_caption", "gallery", "embed", "audio", "video")
# Bare names known from WordPress core, Jetpack and WordPress.com: counted even without
# attributes; any other [word] is taken for text ("[sic]") unless it has attributes or a
# closing tag.
_KNOWN = {
    "playlist", "archives", "sitemap", "contact-form", "youtube", "vimeo", "soundcloud",
    "gist", "tweet", "googlemaps", "instagram", "slideshow", "wpvideo", "latex", "recipe",
    "code", "sourcecode", "polldaddy", "crowdsignal", "dailymotion", "twitter-timeline",
}  # fmt: skip
# An opening tag: [name attrs], [name attrs /], or [[name …] (written as text). Attributes
# never hold "[" or "]", so a failed attempt stops at the next bracket: the scan is linear
# whatever the text (WordPress's own pattern backtracks over unclosed brackets).
_OPEN = re.compile(r"\[(\[?)([A-Za-z][\w-]*)(?![\w-])((?:[^\[\]/]|/(?!\]))*+)(/?)\]")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "″": '"', "‘": "'", "’": "'", "′": "'"})
_QUOTE_ENTITIES = re.compile(r"&#(8220|8221|8222|8243|8216|8217|8242);")
_ATTRIBUTE = re.compile(
    r"""([\w-]+)\s*=\s*"([^"]*)"(?:\s|$)|([\w-]+)\s*=\s*'([^']*)'(?:\s|$)|"""
    r"""([\w-]+)\s*=\s*([^\s'"]+)(?:\s|$)|"([^"]*)"(?:\s|$)|'([^']*)'(?:\s|$)|(\S+)(?:\s|$)"""
)
_IMAGE = re.compile(r"<img\b[^>]*>", re.I)
_LINKED_IMAGE = re.compile(r"((?:<a\s[^>]+>\s*)?<img\s[^>]+>(?:\s*</a>)?)(.*)", re.I | re.S)
_HTML_ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_PLACEHOLDER = "ZZBSSHORTCODE{}ZZ"
PLACEHOLDER_RE = re.compile(r"ZZBSSHORTCODE(\d+)ZZ")
_AUDIO_KEYS = ("src", "mp3", "m4a", "ogg", "oga", "wav", "wma", "flac")
_VIDEO_KEYS = ("src", "mp4", "m4v", "webm", "ogv", "wmv", "flv")
_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp")


@dataclass(frozen=True)
class Attachment:
    """An attachment item of the export: a file the post can show."""

    id: str
    url: str
    parent: str  # the WordPress id of the post it was uploaded to
    title: str = ""
    caption: str = ""  # the attachment's excerpt
    alt: str = ""  # its _wp_attachment_image_alt meta
    menu_order: int = 0
    credit: str = ""  # _broadsheet_credit (our export's): the image's credit line


@dataclass
class Shortcodes:
    html: str  # the post's HTML with placeholders where core shortcodes were
    blocks: list[str] = field(default_factory=list)  # what each placeholder becomes
    unconverted: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)

    def restore(self, markdown: str) -> str:
        """Put the finished blocks back, each a paragraph of its own."""
        restored = PLACEHOLDER_RE.sub(lambda m: f"\n\n{self.blocks[int(m.group(1))]}\n\n", markdown)
        return re.sub(r"\n{3,}", "\n\n", restored).strip()


@dataclass(frozen=True)
class _Found:
    start: int
    end: int  # after the closing tag, or after the opening one if it encloses nothing
    opening_end: int
    name: str
    attributes: str
    content: str | None  # None: self-closing
    escaped: bool  # [[name]]: WordPress shows "[name]" as text


def _scan(text: str) -> Iterator[_Found]:
    closers: dict[str, list[int]] = {}
    for match in _OPEN.finditer(text):
        name = match.group(2)
        end, content = match.end(), None
        if not match.group(4):
            if name not in closers:
                closers[name] = [m.start() for m in re.finditer(re.escape(f"[/{name}]"), text)]
            at = bisect_left(closers[name], match.end())
            if at < len(closers[name]):
                closer = closers[name][at]
                content, end = text[match.end() : closer], closer + len(name) + 3
        escaped = bool(match.group(1)) and text[end : end + 1] == "]"
        yield _Found(
            start=match.start(),
            end=end + 1 if escaped else end,
            opening_end=match.end(),
            name=name,
            attributes=match.group(3),
            content=content,
            escaped=escaped,
        )


def convert_shortcodes(
    content: str, *, attachments: Mapping[str, Attachment], post_id: str
) -> Shortcodes:
    result = Shortcodes(html=content)
    if "[" not in content:
        return result
    converter = _Converter(result, attachments, post_id)
    out: list[str] = []
    done = 0  # the text before this is in `out`
    for found in _scan(content):
        if found.start < done:
            continue  # inside a shortcode already converted
        if found.escaped:
            out += [content[done : found.start], content[found.start + 1 : found.end - 1]]
            done = found.end
        elif found.name in CONVERTED:
            # "[[gallery]" without the closing "]]" is a "[" before a gallery, as in WordPress.
            bracket = "[" if content[found.start + 1] == "[" else ""
            out += [content[done : found.start], bracket, converter.replace(found)]
            done = found.end
        elif (
            "=" in found.attributes
            or found.content is not None
            or content[found.opening_end - 2] == "/"
            or found.name.lower() in _KNOWN
        ):
            # Drawn by a plugin this site does not have: kept as text, and named.
            result.unconverted[found.name] += 1
    out.append(content[done:])
    result.html = "".join(out)
    return result


# A block editor's image with its caption (no figure inside it): the tempered dot stops at the
# next "<figure", so an unclosed one costs only the text up to it.
_CAPTIONED = re.compile(
    r"<figure\b[^>]*>((?:(?!<figure\b).)*?<figcaption\b[^>]*>((?:(?!<figure\b).)*?)"
    r"</figcaption>\s*)</figure>",
    re.I | re.S,
)


def captioned_figures(result: Shortcodes) -> None:
    """Gutenberg's image blocks with a caption kept as figures (markdownify would leave the
    caption as a paragraph under a bare image), by the same placeholders as the shortcodes."""

    def replace(match: re.Match[str]) -> str:
        inside, caption = match.group(1), match.group(2)
        img = _IMAGE.search(inside)
        if img is None:
            return match.group(0)
        image = _html_attributes(img.group(0))
        linked = re.search(r"<a\s[^>]*>\s*<img\b", inside, re.I)
        result.blocks.append(
            _figure(
                src=image.get("src", ""),
                alt=image.get("alt", ""),
                width=image.get("width", ""),
                height=image.get("height", ""),
                link=_html_attributes(linked.group(0)).get("href", "") if linked else "",
                caption=caption,
            )
        )
        return f"\n\n{_PLACEHOLDER.format(len(result.blocks) - 1)}\n\n"

    result.html = _CAPTIONED.sub(replace, result.html)


def attributes(text: str) -> dict[str, str]:
    """shortcode_parse_atts: named values by lower-case name, positional ones as "0", "1"…"""
    text = _QUOTE_ENTITIES.sub(lambda m: chr(int(m.group(1))), text).translate(_QUOTES)
    text = re.sub(r"[\u00a0\u200b]+", " ", text)
    found: dict[str, str] = {}
    position = 0
    for match in _ATTRIBUTE.finditer(text):
        groups = match.groups()
        for name_at, value_at in ((0, 1), (2, 3), (4, 5)):
            if groups[name_at]:
                found[groups[name_at].lower()] = html.unescape(groups[value_at])
                break
        else:
            value = next((g for g in groups[6:] if g is not None), "")
            found[str(position)] = html.unescape(value)
            position += 1
    return found


class _Converter:
    def __init__(self, result: Shortcodes, attachments: Mapping[str, Attachment], post_id: str):
        self.result = result
        self.attachments = attachments
        self.post_id = post_id
        self.handlers: dict[str, Callable[[dict[str, str], str], str | None]] = {
            "caption": self.caption,
            "wp_caption": self.caption,
            "gallery": self.gallery,
            "embed": self.embed,
            "audio": self.media,
            "video": self.media,
        }

    def replace(self, found: _Found) -> str:
        self.name = found.name
        block = self.handlers[found.name](attributes(found.attributes), found.content or "")
        if block is None:
            return ""
        self.result.blocks.append(block)
        return f"\n\n{_PLACEHOLDER.format(len(self.result.blocks) - 1)}\n\n"

    def warn(self, text: str) -> None:
        self.result.warnings.append(f"[{self.name}]: {text}")

    # [caption] --------------------------------------------------------------------------

    def caption(self, attrs: dict[str, str], content: str) -> str | None:
        caption = attrs.get("caption", "")
        image = content
        if not caption:
            # img_caption_shortcode: the caption is the text after the (linked) image.
            found = _LINKED_IMAGE.match(content.strip())
            if found:
                image, caption = found.group(1), found.group(2).strip()
        img = _IMAGE.search(image)
        if img is None:
            self.warn("no image inside; its text is kept as a paragraph")
            return f"<p>{_inline(content)}</p>" if content.strip() else None
        image_attrs = _html_attributes(img.group(0))
        link = _html_attributes(image).get("href", "") if image.lstrip().startswith("<a") else ""
        return _figure(
            src=image_attrs.get("src", ""),
            alt=image_attrs.get("alt", ""),
            width=image_attrs.get("width", ""),
            height=image_attrs.get("height", ""),
            link=link,
            caption=caption,
        )

    # [gallery] --------------------------------------------------------------------------

    def gallery(self, attrs: dict[str, str], content: str) -> str | None:
        wanted = _ids(attrs.get("ids") or attrs.get("include", ""))
        if wanted:
            missing = [i for i in wanted if i not in self.attachments]
            if missing:
                self.warn(f"attachment(s) {', '.join(missing)} are not in the file; left out")
            images = [self.attachments[i] for i in wanted if i in self.attachments]
        else:
            # No ids: the images uploaded to this post, in WordPress's order.
            excluded = set(_ids(attrs.get("exclude", "")))
            images = sorted(
                (
                    a
                    for a in self.attachments.values()
                    if a.parent == self.post_id and a.id not in excluded
                ),
                key=lambda a: (a.menu_order, int(a.id) if a.id.isdigit() else 0),
            )
            if attrs.get("order", "").upper() == "DESC":
                images.reverse()
        images = [a for a in images if _is_image(a.url)]
        if not images:
            self.warn("none of its images is in the file; left out")
            return None
        linked = attrs.get("link", "") != "none"  # no attachment pages here: link the file
        figures = "".join(
            _figure(
                src=a.url,
                alt=a.alt or a.title,
                link=a.url if linked else "",
                caption=html.escape(a.caption),
                css="gallery-item",
            )
            for a in images
        )
        return f'<figure class="gallery">{figures}</figure>'

    # [embed], [audio], [video] -----------------------------------------------------------

    def embed(self, attrs: dict[str, str], content: str) -> str | None:
        url = html.unescape(content.strip() or attrs.get("src", ""))
        if not is_web_address(url):
            self.warn(f"{url[:80]!r} is not a web address; left out")
            return None
        if _is_image(url):
            return f"![]({_markdown_url(url)})"
        # Another site's player would need its iframe and scripts: a link to it instead.
        return f"<{_markdown_url(url)}>"

    def media(self, attrs: dict[str, str], content: str) -> str | None:
        keys = _AUDIO_KEYS if self.name == "audio" else _VIDEO_KEYS
        url = next((attrs[k] for k in keys if attrs.get(k)), "")
        if not url:  # the file may be a link in the content, as WordPress also accepts
            found = re.search(r"""href=["']([^"']+)""", content)
            url = html.unescape(found.group(1)) if found else content.strip()
        if not is_web_address(url):
            self.warn(f"{url[:80]!r} is not a web address; left out")
            return None
        source = html.escape(url)
        name = html.escape(unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or url)
        if self.name == "audio":
            player = f'<audio controls preload="none" src="{source}"></audio>'
        else:
            poster = attrs.get("poster", "")
            size = "".join(
                f' {k}="{attrs[k]}"' for k in ("width", "height") if attrs.get(k, "").isdigit()
            )
            shown = f' poster="{html.escape(poster)}"' if is_web_address(poster) else ""
            player = f'<video controls preload="metadata" src="{source}"{shown}{size}></video>'
        return (
            f'<figure class="{self.name}">{player}'
            f'<figcaption><a href="{source}">{name}</a></figcaption></figure>'
        )


def _figure(
    *,
    src: str,
    alt: str = "",
    width: str = "",
    height: str = "",
    link: str = "",
    caption: str = "",
    css: str = "",
) -> str:
    """One line of HTML (a Markdown HTML block ends at a blank line); sanitised on render."""
    size = "".join(f' {k}="{v}"' for k, v in (("width", width), ("height", height)) if v.isdigit())
    image = f'<img src="{html.escape(src)}" alt="{html.escape(alt)}"{size}>'
    if link:
        image = f'<a href="{html.escape(link)}">{image}</a>'
    shown = f"<figcaption>{_inline(caption)}</figcaption>" if caption.strip() else ""
    klass = f' class="{css}"' if css else ""
    return f"<figure{klass}>{image}{shown}</figure>"


def _inline(text: str) -> str:
    return " ".join(text.split())


def _html_attributes(tag: str) -> dict[str, str]:
    first = re.match(r"<\w+([^>]*)>", tag.strip())
    source = first.group(1) if first else ""
    return {
        m.group(1).lower(): html.unescape(next(g for g in m.groups()[1:] if g is not None))
        for m in _HTML_ATTRIBUTE.finditer(source)
    }


def _ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip().isdigit()]


def _is_image(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(_IMAGE_EXTENSIONS)


def _markdown_url(url: str) -> str:
    """Safe inside ![](…) and <…>: the characters that would end them, percent-encoded."""
    for character, code in (("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E")):
        url = url.replace(character, code)
    return url
