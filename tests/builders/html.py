"""The text of the elements a page test is about, so that a figure is looked for where it belongs and not anywhere in
the page (a CSRF token once contained "999").

Selectors are a small subset of CSS, parsed with the standard library: a tag, `#id`, `.class` and `[attr]` /
`[attr=value]` / `[attr^=value]` parts (`td.num`, `[data-kpi=events]`, `section#latest-jobs`), and descendants
separated by spaces (`tr[data-purpose=personalization] td.num`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
PART = re.compile(r"([a-zA-Z][\w-]*)|#([\w-]+)|\.([\w-]+)|\[([\w-]+)(?:(\^?=)\"?([^\]\"]*)\"?)?\]")


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    def text(self) -> str:
        """The element's text content (as the DOM's textContent) with runs of white space folded to one space."""
        parts = [child if isinstance(child, str) else child.text() for child in self.children]
        return " ".join("".join(parts).split())

    def descendants(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.descendants()


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs}, parent=self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, {name: value or "" for name, value in attrs}, parent=self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:  # an end tag without its start tag is ignored
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def _matches(element: Element, compound: str) -> bool:
    position = 0
    for match in PART.finditer(compound):
        if match.start() != position:
            raise ValueError(f"unsupported selector: {compound!r}")
        position = match.end()
        tag, id_, class_, attr, operator, value = match.groups()
        if tag and element.tag != tag.lower():
            return False
        if id_ and element.attrs.get("id") != id_:
            return False
        if class_ and class_ not in element.attrs.get("class", "").split():
            return False
        if attr:
            if attr not in element.attrs:
                return False
            if operator == "=" and element.attrs[attr] != value:
                return False
            if operator == "^=" and not element.attrs[attr].startswith(value):
                return False
    if position != len(compound):
        raise ValueError(f"unsupported selector: {compound!r}")
    return True


def select(html: str, selector: str) -> list[Element]:
    """Every element matching `selector`, in document order."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    scopes = [builder.root]
    for compound in selector.split():
        found: list[Element] = []
        for scope in scopes:
            found.extend(element for element in scope.descendants() if _matches(element, compound))
        scopes = list({id(element): element for element in found}.values())  # nested matches once each
    return scopes


def texts(html: str, selector: str) -> list[str]:
    """The text of every element matching `selector`."""
    return [element.text() for element in select(html, selector)]


def text(html: str, selector: str) -> str:
    """The text of the one element matching `selector`; LookupError if there is none or more than one."""
    found = texts(html, selector)
    if len(found) != 1:
        raise LookupError(f"expected one element matching {selector!r}, found {len(found)}")
    return found[0]
