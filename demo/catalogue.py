# ruff: noqa: E501 -- the catalogue is a table: one item per line reads better than wrapped calls.
"""The demo's organizations, people and catalogues, with each item's loading on the latent taste themes.

Titles are Chinese with the English after a middle dot, the way bilingual storefronts in mainland China write them.
Theme loadings are the item side of the generative model (docs/demo-data.md): a consumer's affinity to an item is the
dot product of their taste vector with the item's normalised loadings.
"""

from dataclasses import dataclass, field

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


def _course(ref: str, zh: str, en: str, category: str, price: int, themes: dict[str, float], *tags: str) -> ItemSpec:
    return ItemSpec(f"ZX-C{ref}", "course", zh, en, category, price, themes, tags)


def _product(ref: str, zh: str, en: str, category: str, price: int, themes: dict[str, float], *tags: str) -> ItemSpec:
    return ItemSpec(f"HM-P{ref}", "product", zh, en, category, price, themes, tags)


ORG, DES, REN, BUY, FIN, FAM, WEL, CAR = THEMES

PLATFORM_ITEMS: tuple[ItemSpec, ...] = (
    # home organisation
    _course(
        "001",
        "收纳整理 21 天",
        "21-day home organisation",
        "home_organisation",
        199,
        {ORG: 1, FAM: 0.2},
        "收纳",
        "decluttering",
    ),
    _course(
        "002", "断舍离实践课", "Decluttering in practice", "home_organisation", 129, {ORG: 1}, "断舍离", "minimalism"
    ),
    _course(
        "003",
        "小户型收纳术",
        "Storage for small flats",
        "home_organisation",
        159,
        {ORG: 1, DES: 0.4},
        "小户型",
        "storage",
    ),
    _course(
        "004",
        "衣橱整理与胶囊衣橱",
        "Wardrobe edit & capsule wardrobe",
        "home_organisation",
        99,
        {ORG: 0.8, WEL: 0.2},
        "衣橱",
        "wardrobe",
    ),
    _course(
        "005",
        "厨房收纳与动线",
        "Kitchen storage & workflow",
        "home_organisation",
        89,
        {ORG: 0.8, WEL: 0.3},
        "厨房",
        "kitchen",
    ),
    _course(
        "006",
        "整理师职业认证",
        "Professional organiser certification",
        "home_organisation",
        1999,
        {ORG: 1, CAR: 0.6},
        "认证",
        "certification",
    ),
    # interior design
    _course(
        "007",
        "零基础室内设计",
        "Interior design from zero",
        "interior_design",
        399,
        {DES: 1},
        "设计",
        "interior design",
    ),
    _course(
        "008",
        "软装搭配 30 讲",
        "Soft furnishing in 30 lessons",
        "interior_design",
        299,
        {DES: 1, ORG: 0.2},
        "软装",
        "styling",
    ),
    _course("009", "色彩与灯光设计", "Colour & lighting design", "interior_design", 249, {DES: 1}, "灯光", "lighting"),
    _course(
        "010",
        "北欧风与原木风",
        "Scandinavian & natural-wood styles",
        "interior_design",
        149,
        {DES: 1},
        "北欧",
        "scandi",
    ),
    _course(
        "011",
        "小户型空间改造",
        "Small-space makeovers",
        "interior_design",
        269,
        {DES: 0.8, REN: 0.5, ORG: 0.3},
        "改造",
        "makeover",
    ),
    _course(
        "012",
        "家居摄影与布置",
        "Home styling & photography",
        "interior_design",
        199,
        {DES: 0.8, CAR: 0.2},
        "摄影",
        "photography",
    ),
    # renovation
    _course("013", "装修预算全攻略", "Renovation budgeting", "renovation", 299, {REN: 1, FIN: 0.4}, "预算", "budget"),
    _course(
        "014",
        "新房装修避坑指南",
        "New-home renovation pitfalls",
        "renovation",
        199,
        {REN: 1, BUY: 0.5},
        "新房",
        "new home",
    ),
    _course("015", "旧房翻新实战", "Renovating an older flat", "renovation", 249, {REN: 1}, "翻新", "refurbishment"),
    _course("016", "水电与材料选购", "Plumbing, wiring & materials", "renovation", 179, {REN: 1}, "材料", "materials"),
    _course(
        "017",
        "全屋定制怎么选",
        "Choosing built-in furniture",
        "renovation",
        129,
        {REN: 0.7, DES: 0.5, ORG: 0.3},
        "定制",
        "built-ins",
    ),
    # home buying
    _course(
        "018", "首次购房指南", "First-home buyer's guide", "home_buying", 199, {BUY: 1, FIN: 0.5}, "购房", "first home"
    ),
    _course(
        "019",
        "房贷入门：利率与还款",
        "Mortgage basics: rates & repayment",
        "home_buying",
        99,
        {FIN: 0.8, BUY: 0.8},
        "房贷",
        "mortgage",
    ),
    _course(
        "020",
        "看房验房 20 问",
        "20 questions for viewing & inspection",
        "home_buying",
        69,
        {BUY: 1, REN: 0.3},
        "验房",
        "inspection",
    ),
    _course(
        "021",
        "学区房与城市选择",
        "School districts & choosing a city",
        "home_buying",
        149,
        {BUY: 0.8, FAM: 0.6},
        "学区",
        "schools",
    ),
    # personal finance
    _course("022", "个人理财入门", "Personal finance basics", "personal_finance", 99, {FIN: 1}, "理财", "budgeting"),
    _course(
        "023",
        "基金定投 12 讲",
        "Index-fund investing in 12 lessons",
        "personal_finance",
        199,
        {FIN: 1},
        "基金",
        "index funds",
    ),
    _course(
        "024",
        "家庭资产配置",
        "Household asset allocation",
        "personal_finance",
        399,
        {FIN: 1, FAM: 0.3},
        "资产配置",
        "allocation",
    ),
    _course(
        "025",
        "保险怎么买",
        "Buying insurance wisely",
        "personal_finance",
        129,
        {FIN: 0.8, FAM: 0.4},
        "保险",
        "insurance",
    ),
    # parenting
    _course(
        "026", "0-3 岁科学育儿", "Science-based parenting, ages 0-3", "parenting", 299, {FAM: 1}, "育儿", "parenting"
    ),
    _course(
        "027",
        "儿童房设计与收纳",
        "Kids' rooms: design & storage",
        "parenting",
        159,
        {FAM: 0.7, DES: 0.5, ORG: 0.6},
        "儿童房",
        "kids room",
    ),
    _course("028", "亲子共读", "Reading with your child", "parenting", 99, {FAM: 1}, "阅读", "reading"),
    _course("029", "青春期沟通课", "Talking with teenagers", "parenting", 199, {FAM: 1}, "沟通", "teenagers"),
    # cooking & wellness
    _course("030", "家常菜 50 道", "50 home-cooked dishes", "cooking", 99, {WEL: 1, FAM: 0.2}, "烹饪", "cooking"),
    _course("031", "轻食与减脂餐", "Light meals for fat loss", "cooking", 129, {WEL: 1}, "轻食", "healthy eating"),
    _course("032", "居家健身 28 天", "28-day home workout", "fitness", 149, {WEL: 1}, "健身", "fitness"),
    _course("033", "睡眠改善计划", "Better-sleep programme", "fitness", 99, {WEL: 0.9, DES: 0.2}, "睡眠", "sleep"),
    _course("034", "冥想入门", "Meditation basics", "fitness", 69, {WEL: 1}, "冥想", "meditation"),
    # career
    _course("035", "职场沟通", "Workplace communication", "career", 199, {CAR: 1}, "沟通", "communication"),
    _course("036", "Excel 数据分析", "Data analysis with Excel", "career", 249, {CAR: 1, FIN: 0.2}, "Excel", "data"),
    _course(
        "037",
        "副业与个人品牌",
        "Side business & personal brand",
        "career",
        299,
        {CAR: 1, FIN: 0.3},
        "副业",
        "side hustle",
    ),
    _course("038", "时间管理", "Time management", "career", 99, {CAR: 0.8, ORG: 0.3}, "效率", "productivity"),
    # audio columns, memberships, a free taster
    _course(
        "039",
        "每日家居灵感（音频专栏）",
        "Daily home inspiration (audio column)",
        "audio_column",
        199,
        {DES: 0.7, ORG: 0.5},
        "音频",
        "audio",
    ),
    _course(
        "040",
        "财经早知道（音频专栏）",
        "Morning finance briefing (audio column)",
        "audio_column",
        199,
        {FIN: 1, CAR: 0.3},
        "音频",
        "audio",
    ),
    _course(
        "041", "育儿 100 问（音频专栏）", "Parenting Q&A (audio column)", "audio_column", 149, {FAM: 1}, "音频", "audio"
    ),
    _course(
        "042",
        "知学堂年度会员",
        "Zhixue annual membership",
        "membership",
        365,
        {t: 0.3 for t in THEMES},
        "会员",
        "membership",
    ),
    _course(
        "043",
        "家居生活会员季卡",
        "Home-living quarterly pass",
        "membership",
        128,
        {ORG: 0.6, DES: 0.6, REN: 0.4},
        "会员",
        "membership",
    ),
    _course(
        "044",
        "免费公开课：一小时收纳入门",
        "Free: one-hour intro to tidying",
        "home_organisation",
        0,
        {ORG: 1},
        "免费",
        "free",
    ),
)

HOMELY_ITEMS: tuple[ItemSpec, ...] = (
    # storage
    _product("001", "抽屉式收纳柜", "Drawer storage cabinet", "storage", 399, {ORG: 1, DES: 0.2}, "收纳", "storage"),
    _product(
        "002",
        "衣柜分层收纳盒（6 件套）",
        "Wardrobe organiser boxes (set of 6)",
        "storage",
        129,
        {ORG: 1},
        "收纳",
        "wardrobe",
    ),
    _product("003", "床底收纳箱", "Under-bed storage box", "storage", 89, {ORG: 1}, "收纳", "storage"),
    _product("004", "玄关鞋柜", "Entryway shoe cabinet", "storage", 699, {ORG: 0.9, DES: 0.3}, "玄关", "entryway"),
    _product("005", "壁挂式置物架", "Wall-mounted shelf", "storage", 159, {ORG: 1, DES: 0.2}, "置物架", "shelving"),
    _product("006", "可折叠收纳筐", "Foldable storage baskets", "storage", 59, {ORG: 1}, "收纳", "baskets"),
    _product("007", "厨房调料置物架", "Kitchen spice rack", "storage", 79, {ORG: 0.8, WEL: 0.4}, "厨房", "kitchen"),
    _product(
        "008", "书架组合柜", "Modular bookcase", "storage", 899, {ORG: 0.7, DES: 0.4, CAR: 0.2}, "书架", "bookcase"
    ),
    _product("009", "真空压缩收纳袋", "Vacuum storage bags", "storage", 49, {ORG: 1}, "收纳", "space saving"),
    _product("010", "儿童玩具收纳架", "Kids' toy storage rack", "storage", 259, {ORG: 0.8, FAM: 0.8}, "儿童", "toys"),
    _product("011", "浴室角落置物架", "Bathroom corner shelf", "storage", 99, {ORG: 1}, "浴室", "bathroom"),
    _product("012", "透明鞋盒（12 个）", "Clear shoe boxes (12)", "storage", 119, {ORG: 1}, "鞋盒", "shoes"),
    _product("013", "桌面收纳盒", "Desk organiser", "storage", 45, {ORG: 0.8, CAR: 0.4}, "桌面", "desk"),
    _product("014", "多功能储物凳", "Storage ottoman", "storage", 299, {ORG: 0.8, DES: 0.4}, "储物", "ottoman"),
    # sofas and seating
    _product("015", "布艺三人沙发", "Three-seat fabric sofa", "sofa", 4999, {DES: 1, BUY: 0.3}, "沙发", "sofa"),
    _product(
        "016", "小户型双人沙发", "Compact two-seat sofa", "sofa", 2999, {DES: 0.8, ORG: 0.3}, "沙发", "small space"
    ),
    _product("017", "真皮转角沙发", "Leather corner sofa", "sofa", 9999, {DES: 1, BUY: 0.4}, "真皮", "leather"),
    _product("018", "沙发床", "Sofa bed", "sofa", 2599, {DES: 0.5, ORG: 0.5}, "沙发床", "sofa bed"),
    _product("019", "懒人沙发", "Bean-bag chair", "sofa", 399, {DES: 0.5, WEL: 0.3}, "懒人", "bean bag"),
    _product("020", "单人休闲椅", "Lounge armchair", "sofa", 1299, {DES: 1}, "休闲椅", "armchair"),
    # beds and bedding
    _product("021", "实木双人床", "Solid-wood double bed", "bed", 3999, {DES: 0.6, BUY: 0.4, WEL: 0.3}, "实木", "bed"),
    _product("022", "独立弹簧床垫", "Pocket-spring mattress", "bed", 2999, {WEL: 0.8, BUY: 0.3}, "床垫", "mattress"),
    _product("023", "乳胶枕（2 只）", "Latex pillows (pair)", "bed", 299, {WEL: 1}, "枕头", "pillows"),
    _product("024", "儿童上下床", "Kids' bunk bed", "bed", 2799, {FAM: 1, ORG: 0.3}, "儿童", "bunk bed"),
    _product(
        "025", "高箱储物床", "Storage bed with lift-up base", "bed", 3599, {ORG: 0.8, DES: 0.4}, "储物", "storage bed"
    ),
    _product("026", "四件套床品", "Bedding set (4 pieces)", "bed", 399, {DES: 0.6, WEL: 0.4}, "床品", "bedding"),
    # lighting
    _product("027", "北欧落地灯", "Nordic floor lamp", "lighting", 459, {DES: 1}, "落地灯", "floor lamp"),
    _product("028", "护眼台灯", "Eye-care desk lamp", "lighting", 299, {FAM: 0.5, CAR: 0.4}, "台灯", "desk lamp"),
    _product("029", "智能吸顶灯", "Smart ceiling light", "lighting", 899, {DES: 0.6, REN: 0.5}, "智能", "smart home"),
    _product("030", "床头壁灯", "Bedside wall lamp", "lighting", 259, {DES: 1}, "壁灯", "wall lamp"),
    _product("031", "氛围灯带", "LED ambient strip", "lighting", 129, {DES: 0.9}, "灯带", "LED"),
    _product("032", "餐厅吊灯", "Dining pendant light", "lighting", 699, {DES: 1, REN: 0.2}, "吊灯", "pendant"),
    _product(
        "033",
        "感应小夜灯",
        "Motion-sensor night light",
        "lighting",
        39,
        {FAM: 0.4, ORG: 0.2, DES: 0.2},
        "夜灯",
        "night light",
    ),
    # rugs and textiles
    _product("034", "羊毛客厅地毯", "Wool living-room rug", "rug_textile", 1599, {DES: 1}, "地毯", "rug"),
    _product("035", "防滑门垫", "Non-slip doormat", "rug_textile", 59, {DES: 0.4, ORG: 0.3}, "门垫", "doormat"),
    _product("036", "遮光窗帘", "Blackout curtains", "rug_textile", 499, {DES: 0.6, WEL: 0.3}, "窗帘", "curtains"),
    _product("037", "亚麻抱枕套", "Linen cushion covers", "rug_textile", 89, {DES: 1}, "抱枕", "cushions"),
    _product("038", "儿童爬行垫", "Baby play mat", "rug_textile", 199, {FAM: 1}, "儿童", "play mat"),
    _product("039", "沙发盖毯", "Throw blanket", "rug_textile", 159, {DES: 0.8, WEL: 0.2}, "盖毯", "throw"),
    # kitchen and dining
    _product("040", "不粘锅三件套", "Non-stick pan set (3)", "kitchen", 499, {WEL: 1}, "锅具", "cookware"),
    _product(
        "041", "实木餐桌", "Solid-wood dining table", "kitchen", 2999, {DES: 0.7, FAM: 0.3}, "餐桌", "dining table"
    ),
    _product("042", "餐椅（2 把）", "Dining chairs (pair)", "kitchen", 899, {DES: 0.8}, "餐椅", "chairs"),
    _product("043", "保鲜盒套装", "Food storage containers", "kitchen", 99, {ORG: 0.7, WEL: 0.6}, "保鲜", "containers"),
    _product("044", "刀具套装", "Knife set", "kitchen", 399, {WEL: 1}, "刀具", "knives"),
    _product(
        "045", "陶瓷餐具套装", "Ceramic dinnerware set", "kitchen", 599, {DES: 0.5, WEL: 0.5}, "餐具", "dinnerware"
    ),
    _product("046", "橱柜拉篮", "Pull-out cabinet basket", "kitchen", 359, {ORG: 0.8, REN: 0.4}, "拉篮", "cabinet"),
    _product("047", "破壁料理机", "High-speed blender", "kitchen", 899, {WEL: 1}, "料理机", "blender"),
    # study and office
    _product("048", "人体工学椅", "Ergonomic office chair", "study", 1499, {CAR: 0.8, WEL: 0.4}, "办公", "ergonomic"),
    _product("049", "升降书桌", "Standing desk", "study", 1999, {CAR: 0.8, WEL: 0.3}, "书桌", "standing desk"),
    _product("050", "儿童学习桌", "Kids' study desk", "study", 1299, {FAM: 0.9, ORG: 0.2}, "儿童", "study desk"),
    _product("051", "书房书柜", "Study bookcase", "study", 1199, {CAR: 0.5, ORG: 0.5, DES: 0.3}, "书柜", "bookcase"),
    # decor, bathroom, built-ins
    _product("052", "装饰挂画（3 幅）", "Wall art (set of 3)", "decor", 399, {DES: 1}, "挂画", "wall art"),
    _product("053", "落地镜", "Full-length mirror", "decor", 459, {DES: 0.7, WEL: 0.2}, "镜子", "mirror"),
    _product("054", "绿植花架", "Plant stand", "decor", 199, {DES: 0.6, WEL: 0.3}, "绿植", "plants"),
    _product("055", "香薰机", "Aroma diffuser", "decor", 199, {WEL: 0.7, DES: 0.3}, "香薰", "aroma"),
    _product("056", "浴室柜", "Bathroom vanity cabinet", "bathroom", 1899, {REN: 0.8, ORG: 0.4}, "浴室", "vanity"),
    _product("057", "智能马桶盖", "Smart toilet seat", "bathroom", 1599, {REN: 0.8}, "智能", "smart toilet"),
    _product(
        "058",
        "全屋定制衣柜（每延米）",
        "Custom wardrobe (per metre)",
        "built_in",
        2200,
        {REN: 0.7, ORG: 0.7, DES: 0.3},
        "定制",
        "built-in",
    ),
    _product("059", "入户换鞋凳", "Entry bench", "storage", 259, {ORG: 0.6, DES: 0.4}, "玄关", "entryway"),
    _product(
        "060",
        "新居软装套餐",
        "New-home soft furnishing bundle",
        "bundle",
        19999,
        {BUY: 0.8, DES: 0.8, REN: 0.4},
        "新居",
        "bundle",
    ),
)

SKYLINE_ITEMS: tuple[ItemSpec, ...] = (
    ItemSpec(
        "SK-L001",
        "listing",
        "滨江·云澜府 89㎡ 两居",
        "Binjiang Yunlan, 89 m² 2-bed",
        "apartment_binjiang",
        3_560_000,
        {BUY: 1, FAM: 0.2},
        ("杭州", "新房", "new build"),
    ),
    ItemSpec(
        "SK-L002",
        "listing",
        "滨江·云澜府 128㎡ 三居",
        "Binjiang Yunlan, 128 m² 3-bed",
        "apartment_binjiang",
        5_120_000,
        {BUY: 1, FAM: 0.6},
        ("杭州", "三居", "family home"),
    ),
    ItemSpec(
        "SK-L003",
        "listing",
        "余杭·未来里 76㎡ 刚需两居",
        "Yuhang Future Life, 76 m² starter 2-bed",
        "apartment_yuhang",
        2_280_000,
        {BUY: 1, FIN: 0.3},
        ("杭州", "刚需", "starter home"),
    ),
    ItemSpec(
        "SK-L004",
        "listing",
        "余杭·未来里 99㎡ 三居",
        "Yuhang Future Life, 99 m² 3-bed",
        "apartment_yuhang",
        2_970_000,
        {BUY: 1, FAM: 0.5},
        ("杭州", "三居", "family home"),
    ),
    ItemSpec(
        "SK-L005",
        "listing",
        "西湖·揽月 143㎡ 改善四居",
        "Xihu Lanyue, 143 m² 4-bed upgrade",
        "apartment_xihu",
        8_580_000,
        {BUY: 1, DES: 0.3},
        ("杭州", "改善", "upgrade"),
    ),
    ItemSpec(
        "SK-L006",
        "listing",
        "拱墅·运河湾 110㎡ 学区三居",
        "Gongshu Canal Bay, 110 m² 3-bed near schools",
        "apartment_gongshu",
        4_950_000,
        {BUY: 1, FAM: 0.9},
        ("杭州", "学区", "schools"),
    ),
    ItemSpec(
        "SK-L007",
        "listing",
        "萧山·湘湖墅 180㎡ 叠墅",
        "Xiaoshan Xianghu, 180 m² townhouse",
        "townhouse_xiaoshan",
        9_900_000,
        {BUY: 1, DES: 0.5},
        ("杭州", "叠墅", "townhouse"),
    ),
    ItemSpec(
        "SK-L008",
        "listing",
        "萧山·湘湖 55㎡ LOFT 公寓",
        "Xiaoshan Xianghu, 55 m² loft apartment",
        "loft_xiaoshan",
        1_350_000,
        {BUY: 0.8, CAR: 0.4, FIN: 0.3},
        ("杭州", "公寓", "loft"),
    ),
    ItemSpec(
        "SK-S001",
        "service",
        "样板间预约参观",
        "Showroom visit booking",
        "showroom_visit",
        0,
        {BUY: 1, DES: 0.4},
        ("看房", "showroom"),
    ),
    ItemSpec(
        "SK-S002", "service", "线上 VR 看房", "Online VR viewing", "showroom_visit", 0, {BUY: 1}, ("VR", "virtual tour")
    ),
    ItemSpec(
        "SK-S003",
        "service",
        "购房资格与贷款咨询",
        "Eligibility & mortgage consultation",
        "consultation",
        0,
        {BUY: 0.8, FIN: 0.8},
        ("贷款", "mortgage"),
    ),
    ItemSpec(
        "SK-S004",
        "service",
        "精装交付升级包",
        "Finished-delivery upgrade package",
        "renovation_package",
        68_000,
        {REN: 1, DES: 0.5, BUY: 0.4},
        ("精装", "upgrade"),
    ),
    ItemSpec(
        "SK-S005",
        "service",
        "全屋软装设计服务",
        "Whole-home soft furnishing design",
        "renovation_package",
        28_000,
        {DES: 1, REN: 0.5},
        ("软装", "design service"),
    ),
    ItemSpec(
        "SK-S006",
        "service",
        "拎包入住家具套餐",
        "Move-in-ready furnishing package",
        "renovation_package",
        98_000,
        {BUY: 0.6, DES: 0.6, REN: 0.6, ORG: 0.3},
        ("拎包入住", "move-in ready"),
    ),
    ItemSpec(
        "SK-S007",
        "service",
        "旧房翻新服务",
        "Resale-home renovation service",
        "renovation_package",
        150_000,
        {REN: 1},
        ("翻新", "renovation"),
    ),
    ItemSpec(
        "SK-S008",
        "service",
        "物业管家与收纳服务（年）",
        "Property care & organising service (yearly)",
        "property_service",
        3_600,
        {ORG: 0.8, BUY: 0.3},
        ("物业", "property care"),
    ),
)

CATALOGUES: dict[str, tuple[ItemSpec, ...]] = {
    PLATFORM.slug: PLATFORM_ITEMS,
    HOMELY.slug: HOMELY_ITEMS,
    SKYLINE.slug: SKYLINE_ITEMS,
}

CATEGORY_LABELS: dict[str, str] = {
    "home_organisation": "收纳整理 · home organisation",
    "interior_design": "室内设计 · interior design",
    "renovation": "装修 · renovation",
    "home_buying": "置业 · home buying",
    "personal_finance": "理财 · personal finance",
    "parenting": "亲子 · parenting",
    "cooking": "烹饪 · cooking",
    "fitness": "健身 · fitness",
    "career": "职场 · career",
    "audio_column": "音频专栏 · audio column",
    "membership": "会员 · membership",
    "storage": "收纳 · storage",
    "sofa": "沙发 · sofas",
    "bed": "床与床品 · beds & bedding",
    "lighting": "灯具 · lighting",
    "rug_textile": "地毯与布艺 · rugs & textiles",
    "kitchen": "厨房餐厅 · kitchen & dining",
    "study": "书房 · study",
    "decor": "装饰 · decor",
    "bathroom": "卫浴 · bathroom",
    "built_in": "全屋定制 · built-ins",
    "bundle": "套餐 · bundles",
}


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


# Realistic Chinese cities with their commercial tier (1 = Beijing/Shanghai/Guangzhou/Shenzhen ... 5 = county-level),
# and a population weight for the platform. Skyline sells in Hangzhou, so its consumers lean to Hangzhou and nearby.
CITIES: tuple[tuple[str, int, float], ...] = (
    ("上海", 1, 9.0),
    ("北京", 1, 8.5),
    ("深圳", 1, 7.0),
    ("广州", 1, 6.5),
    ("杭州", 2, 7.5),
    ("成都", 2, 6.5),
    ("南京", 2, 4.5),
    ("武汉", 2, 5.0),
    ("苏州", 2, 4.5),
    ("西安", 2, 4.0),
    ("重庆", 2, 5.0),
    ("长沙", 2, 3.5),
    ("宁波", 2, 3.0),
    ("郑州", 2, 3.0),
    ("青岛", 2, 3.0),
    ("合肥", 2, 2.5),
    ("绍兴", 3, 2.0),
    ("嘉兴", 3, 1.8),
    ("佛山", 3, 2.0),
    ("厦门", 3, 2.0),
    ("昆明", 3, 1.8),
    ("南宁", 3, 1.5),
    ("湖州", 4, 1.2),
    ("金华", 4, 1.2),
    ("赣州", 4, 1.0),
    ("桂林", 4, 0.8),
    ("义乌", 5, 0.8),
    ("桐乡", 5, 0.5),
)
SKYLINE_HOME_CITIES: frozenset[str] = frozenset({"杭州", "绍兴", "嘉兴", "湖州", "宁波", "金华", "义乌", "桐乡"})
