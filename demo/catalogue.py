"""The demo's organizations, people and catalogues, with each item's loading on the latent taste themes.

Titles are Chinese with the English after a middle dot, the way bilingual storefronts in mainland China write them.
Theme loadings are the item side of the generative model (docs/demo-data.md): a consumer's affinity to an item is the
dot product of their taste vector with the item's normalised loadings.

The items themselves, their cities and category labels are data, in data/catalogue.json (one item per line); this
module reads it once at import and checks that every item names known themes, so a typo fails loudly.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The latent taste themes, shared by every organization: the bridge that makes cross-domain recommendation learnable.
THEMES: tuple[str, ...] = (
    "organisation",  # 收纳整理
    "design",  # 室内设计与软装
    "renovation",  # 装修
    "home_buying",  # 置业
    "finance",  # 理财
    "family",  # 亲子
    "wellness",  # 烹饪、健身、睡眠
    "career",  # 职场
)
THEME_LABELS: dict[str, tuple[str, str]] = {
    "organisation": ("收纳整理", "home organisation"),
    "design": ("室内设计", "interior design"),
    "renovation": ("装修", "renovation"),
    "home_buying": ("置业", "home buying"),
    "finance": ("理财", "personal finance"),
    "family": ("亲子", "family & parenting"),
    "wellness": ("健康生活", "wellness & cooking"),
    "career": ("职场", "career"),
}


@dataclass(frozen=True)
class OrganizationSpec:
    code: str  # short prefix for external references
    slug: str
    name: str
    kind: str
    industry: str


PLATFORM = OrganizationSpec("zx", "zhixue", "知学堂 · Zhixue Academy", "platform", "knowledge")
HOMELY = OrganizationSpec("hm", "homely", "栖居家居 · Homely Living", "partner", "home_furnishing")
SKYLINE = OrganizationSpec("sk", "skyline", "天际置业 · Skyline Properties", "partner", "real_estate")
ORGANIZATIONS: tuple[OrganizationSpec, ...] = (PLATFORM, HOMELY, SKYLINE)


@dataclass(frozen=True)
class DemoUserSpec:
    username: str
    role: str
    organization_slug: str
    first_name: str
    last_name: str


DEMO_USERS: tuple[DemoUserSpec, ...] = (
    DemoUserSpec("zx-admin", "admin", "zhixue", "Admin", "知学堂"),
    DemoUserSpec("zx-manager", "campaign_manager", "zhixue", "Mei", "Lin 林梅"),
    DemoUserSpec("zx-analyst", "analyst", "zhixue", "Hao", "Chen 陈浩"),
    DemoUserSpec("zx-privacy", "privacy_admin", "zhixue", "Jing", "Wang 王静"),
    DemoUserSpec("homely-partner", "partner_user", "homely", "Lei", "Zhao 赵磊"),
    DemoUserSpec("skyline-partner", "partner_user", "skyline", "Ting", "Sun 孙婷"),
)


@dataclass(frozen=True)
class ItemSpec:
    external_ref: str
    kind: str
    title_zh: str
    title_en: str
    category: str
    price: int  # CNY, whole yuan
    themes: dict[str, float]
    tags: tuple[str, ...] = field(default=())

    @property
    def title(self) -> str:
        return f"{self.title_zh} · {self.title_en}"


DATA_FILE = Path(__file__).with_name("data") / "catalogue.json"


def _item(row: dict[str, Any]) -> ItemSpec:
    unknown = sorted(set(row["themes"]) - set(THEMES))
    if unknown:
        raise ValueError(f"{DATA_FILE.name}: item {row['external_ref']} names unknown themes {unknown}")
    return ItemSpec(
        external_ref=row["external_ref"],
        kind=row["kind"],
        title_zh=row["title_zh"],
        title_en=row["title_en"],
        category=row["category"],
        price=row["price"],
        themes=dict(row["themes"]),
        tags=tuple(row["tags"]),
    )


_DATA: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))

# Per organization slug, in catalogue order: the writer stores them in this order and the model indexes them by it.
CATALOGUES: dict[str, tuple[ItemSpec, ...]] = {
    slug: tuple(_item(row) for row in rows) for slug, rows in _DATA["catalogues"].items()
}
if set(CATALOGUES) != {spec.slug for spec in ORGANIZATIONS}:
    raise ValueError(f"{DATA_FILE.name}: catalogues {sorted(CATALOGUES)} do not match the demo organizations")

CATEGORY_LABELS: dict[str, str] = _DATA["categories"]

# Realistic Chinese cities as (name, commercial tier, population weight for the platform): tier 1 = Beijing/Shanghai/
# Guangzhou/Shenzhen ... 5 = county-level. Skyline sells in Hangzhou, so its consumers lean to Hangzhou and nearby.
CITIES: tuple[tuple[str, int, float], ...] = tuple((c["name"], c["tier"], c["weight"]) for c in _DATA["cities"])
SKYLINE_HOME_CITIES: frozenset[str] = frozenset(_DATA["skyline_home_cities"])
if not SKYLINE_HOME_CITIES.issubset(name for name, _, _ in CITIES):
    raise ValueError(f"{DATA_FILE.name}: a Skyline home city is not among the cities")


def item_description(item: ItemSpec) -> str:
    """A short bilingual description naming the main themes, so content-based models have words to match."""
    main = sorted(item.themes.items(), key=lambda kv: -kv[1])[:2]
    zh = "、".join(THEME_LABELS[t][0] for t, _ in main)
    en = " and ".join(THEME_LABELS[t][1] for t, _ in main)
    kind_zh = {"course": "课程", "product": "商品", "listing": "房源", "service": "服务"}[item.kind]
    return f"{item.title_zh}：{zh}主题{kind_zh}。{item.title_en} — a {item.kind} about {en}."


def item_tags(item: ItemSpec) -> list[str]:
    main = sorted(item.themes.items(), key=lambda kv: -kv[1])[:2]
    theme_tags = [tag for t, _ in main for tag in THEME_LABELS[t]]
    return list(dict.fromkeys([*item.tags, *theme_tags]))
