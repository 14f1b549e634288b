"""Demo content for `manage.py load_demo`, built from one newspaper page.

The page (November 2019, poverty-alleviation special page) carries four pieces:
Hunyuan County (Shanxi), Chengkou County (Chongqing), Gangnan District
(Guangxi) and a photo from Tianzhu County (Guizhou). Facts and figures are
carried over exactly; every sentence is written anew.

Plain data only: the loader in stories/management/commands/load_demo.py turns
these dicts into rows. Conventions:

- "今年" on the page is 2019 and "去年" 2018.
- The page's day is unknown, so `source_date` stays empty. Figures the page
  reports "截至目前" get period_label "截至2019年11月" and no `as_of`: a date
  field would claim a day the page never gives.
- Quantities: value is a decimal string, unit as written, qualifier one of
  "exact", "more" (多), "odd" (余), "over" (超过); "after" = True when 多/余
  follows 万 (1.24万多户, 18万余元).
- Bodies are lists of paragraphs; the loader joins them with a blank line.
"""

import datetime
from zoneinfo import ZoneInfo

SOURCE_PUBLICATION = "报纸扶贫专版（2019年11月）"
PUBLISHED_AT = datetime.datetime(2019, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SO_FAR = "截至2019年11月"

BYLINE_HUNYUAN = "本报记者 梁婧 刘存瑞 通讯员 安兴旺"
BYLINE_CHENGKOU = "本报记者 吴陆牧"
BYLINE_GANGNAN = "杨亚俊（广西壮族自治区贵港市港南区委书记）"
BYLINE_TIANZHU = "龙胜洲摄（中经视觉）"

# ---------------------------------------------------------------------------
# Regions: official codes down to county level; townships and villages are not
# coded on the page, so their code stays empty (never invented).
# ---------------------------------------------------------------------------

REGIONS = [
    # Shanxi
    {"key": "shanxi", "name": "山西省", "level": "PROVINCE", "code": "140000"},
    {
        "key": "datong",
        "name": "大同市",
        "level": "PREFECTURE",
        "code": "140200",
        "parent": "shanxi",
    },
    {
        "key": "hunyuan",
        "name": "浑源县",
        "level": "COUNTY",
        "code": "140225",
        "parent": "datong",
    },
    # The page does not name 藏经庄村's township.
    {
        "key": "zangjingzhuang",
        "name": "藏经庄村",
        "level": "VILLAGE",
        "code": "",
        "parent": "hunyuan",
    },
    # Chongqing: a municipality, so the county hangs directly under it.
    {"key": "chongqing", "name": "重庆市", "level": "PROVINCE", "code": "500000"},
    {
        "key": "chengkou",
        "name": "城口县",
        "level": "COUNTY",
        "code": "500229",
        "parent": "chongqing",
    },
    {
        "key": "xiuqi",
        "name": "修齐镇",
        "level": "TOWNSHIP",
        "code": "",
        "parent": "chengkou",
    },
    {
        "key": "jiayuan",
        "name": "家园村",
        "level": "VILLAGE",
        "code": "",
        "parent": "xiuqi",
    },
    {
        "key": "miaoba",
        "name": "庙坝镇",
        "level": "TOWNSHIP",
        "code": "",
        "parent": "chengkou",
    },
    {
        "key": "xiangxi",
        "name": "香溪村",
        "level": "VILLAGE",
        "code": "",
        "parent": "miaoba",
    },
    {
        "key": "gecheng",
        "name": "葛城街道",
        "level": "TOWNSHIP",
        "code": "",
        "parent": "chengkou",
    },
    {
        "key": "miansha",
        "name": "棉沙村",
        "level": "VILLAGE",
        "code": "",
        "parent": "gecheng",
    },
    {
        "key": "lantian",
        "name": "岚天乡",
        "level": "TOWNSHIP",
        "code": "",
        "parent": "chengkou",
    },
    {
        "key": "lanxi",
        "name": "岚溪村",
        "level": "VILLAGE",
        "code": "",
        "parent": "lantian",
    },
    {
        "key": "pingba",
        "name": "坪坝镇",
        "level": "TOWNSHIP",
        "code": "",
        "parent": "chengkou",
    },
    {
        "key": "guangming",
        "name": "光明村",
        "level": "VILLAGE",
        "code": "",
        "parent": "pingba",
    },
    # Guangxi
    {"key": "guangxi", "name": "广西壮族自治区", "level": "PROVINCE", "code": "450000"},
    {
        "key": "guigang",
        "name": "贵港市",
        "level": "PREFECTURE",
        "code": "450800",
        "parent": "guangxi",
    },
    {
        "key": "gangnan",
        "name": "港南区",
        "level": "COUNTY",
        "code": "450803",
        "parent": "guigang",
    },
    {
        "key": "qiaoxu",
        "name": "桥圩镇",
        "level": "TOWNSHIP",
        "code": "",
        "parent": "gangnan",
    },
    {
        "key": "jindong",
        "name": "锦垌村",
        "level": "VILLAGE",
        "code": "",
        "parent": "qiaoxu",
    },
    # Guizhou
    {"key": "guizhou", "name": "贵州省", "level": "PROVINCE", "code": "520000"},
    {
        "key": "qiandongnan",
        "name": "黔东南苗族侗族自治州",
        "level": "PREFECTURE",
        "code": "522600",
        "parent": "guizhou",
    },
    {
        "key": "tianzhu",
        "name": "天柱县",
        "level": "COUNTY",
        "code": "522627",
        "parent": "qiandongnan",
    },
]

# ---------------------------------------------------------------------------
# Causes of hardship as the poverty register records them (the same list as
# migration stories/0002_causes). Created only when missing (matched by slug,
# then by name); existing rows are left alone.
# ---------------------------------------------------------------------------

CAUSES = [
    {"slug": "illness", "name": "因病", "order": 0},
    {"slug": "disability", "name": "因残", "order": 1},
    {"slug": "education", "name": "因学", "order": 2},
    {"slug": "disaster", "name": "因灾", "order": 3},
    {"slug": "land", "name": "缺土地", "order": 4},
    {"slug": "water", "name": "缺水", "order": 5},
    {"slug": "skills", "name": "缺技术", "order": 6},
    {"slug": "labour", "name": "缺劳力", "order": 7},
    {"slug": "funds", "name": "缺资金", "order": 8},
    {"slug": "transport", "name": "交通条件落后", "order": 9},
    {"slug": "motivation", "name": "自身发展动力不足", "order": 10},
]

# ---------------------------------------------------------------------------
# Programs. A part names its county-wide program in "parent" (listed first).
# ---------------------------------------------------------------------------

PROGRAMS = [
    # 1. Hunyuan County, Shanxi -------------------------------------------------
    {
        "slug": "hunyuan-new-drivers",
        "title": "浑源县：乡村旅游、电商与消费扶贫一起发力",
        "region": "hunyuan",
        "category": "industry",
        "is_featured": False,
        "source_byline": BYLINE_HUNYUAN,
        "summary": (
            "山西省大同市浑源县把乡村旅游、农产品电商和消费扶贫作为脱贫攻坚的新引擎，"
            "同时把住扶贫产品的质量关，贫困群众增收的门路越走越多。"
        ),
        "body": [
            (
                "浑源县隶属山西省大同市。近几年，县里在脱贫攻坚中着力培育新的增长点："
                "一手抓乡村旅游，一手抓农产品网上销售，再加上消费扶贫，"
                "让贫困群众有更多办法把劳动变成收入。"
            ),
            (
                "乡村旅游是其中一条路。2019年以来，全县拿出2077万元建设乡村旅游项目，"
                "其中包括7个旅游扶贫重点村，让1115户贫困户、2689人增加了收入。"
            ),
            (
                "电商是另一条路。县里以县级电商运营服务中心为核心，在乡镇设服务站、"
                "在村里设服务点，配上物流和培训，把小米、凉粉、"
                "黄芪等本地特产卖到全国各地。全县农产品网络零售额2018年是2680万元，"
                "2019年截至11月已经达到4600多万元。"
            ),
            (
                "消费扶贫则把扶贫产品直接摆到消费者面前。在浑源县，"
                "消费扶贫专柜随处可见，县里对上柜产品的质量严格把关，既让买的人放心，"
                "也让扶贫产品卖得长久。"
            ),
        ],
    },
    {
        "slug": "hunyuan-rural-tourism",
        "parent": "hunyuan-new-drivers",
        "title": "浑源县旅游扶贫：重点村带着贫困户增收",
        "region": "hunyuan",
        "category": "tourism",
        "source_byline": BYLINE_HUNYUAN,
        "summary": (
            "2019年以来，浑源县在乡村旅游扶贫上投入2077万元，"
            "重点打造了7个旅游扶贫重点村，让1115户贫困户、2689人增加了收入。"
        ),
        "body": [
            (
                "在浑源县，发展乡村旅游已经成为帮助贫困群众增收的一条越来越宽的路子，"
                "当地的面貌也因此有了看得见的变化。"
            ),
            (
                "2019年以来，全县在乡村旅游扶贫上累计投入资金2077万元，"
                "重点建设7个旅游扶贫重点村，并配套实施了一批乡村旅游扶贫项目。"
            ),
            (
                "这些项目给贫困家庭带来了增收的机会：全县共有1115户贫困户、"
                "2689人因此增加了收入。"
            ),
        ],
        "figures": [
            {
                "indicator": "乡村旅游扶贫项目投入资金",
                "value": "2077",
                "unit": "万元",
                "year": 2019,
                "period_label": "2019年以来",
            },
            {
                "indicator": "旅游扶贫重点村",
                "value": "7",
                "unit": "个",
                "year": 2019,
                "period_label": "2019年以来",
            },
            {
                "indicator": "带动增收的贫困户",
                "value": "1115",
                "unit": "户",
                "year": 2019,
                "period_label": "2019年以来",
            },
            {
                "indicator": "带动增收的贫困人口",
                "value": "2689",
                "unit": "人",
                "year": 2019,
                "period_label": "2019年以来",
                "is_headline": True,
            },
        ],
        "photos": [
            {
                "caption": "发展乡村旅游以后，浑源县的村子有了明显的新变化。",
                "credit": "本报记者 梁婧摄",
                "alt_text": (
                    "浑源县开展乡村旅游扶贫的村庄，反映旅游扶贫给当地带来的变化"
                ),
            },
        ],
    },
    {
        "slug": "hunyuan-ecommerce",
        "parent": "hunyuan-new-drivers",
        "title": "浑源县电商扶贫：以点带面，把特产卖向全国",
        "region": "hunyuan",
        "category": "ecommerce",
        "is_featured": True,
        "lead_organisation": "浑源县电商运营服务中心",
        "source_byline": BYLINE_HUNYUAN,
        "summary": (
            "浑源县以县级电商运营服务中心为“点”，以乡镇服务站和村级服务点为“面”，"
            "再用物流和培训把两者连起来。全县农产品网络零售额2018年为2680万元，"
            "2019年截至11月达到4600多万元。"
        ),
        "body": [
            (
                "浑源县把发展农村电商当作帮助贫困户增收的一项重点工作，"
                "办法可以概括为“以点带面、点面相连”，力求每一项措施都用得精准。"
            ),
            (
                "“点”是县级电商运营服务中心。中心面积2000平方米，里面分出办公区、"
                "培训区、众创空间和浑源特色农产品体验展示区，"
                "负责统一调度全县农产品的网上销售，把农产品和各个销售网点对接起来。"
                "贫困户、龙头企业和回乡的大学生都可以在这里得到免费的电商服务和技术支"
                "持。"
            ),
            (
                "中心主任兰彩介绍，中心已同京东、淘宝等多家知名电商平台建立长期合作，"
                "目前在网上销售的农产品有100多种。借助网络，浑源凉粉、浑源黄芪、"
                "北芪这些本地优势农产品名气越来越大，成了受欢迎的“网红”产品。"
            ),
            (
                "“面”是覆盖乡村的服务网络。全县10个乡镇都建起了电商服务站，"
                "村一级另建电商服务点220个，70%的贫困村有了自己的电商服务点。"
            ),
            (
                "把点和面连起来，靠的是物流和人才。县里建起了县级仓储物流分拣中心，"
                "本地物流企业发展到14家，15个乡镇的乡村物流实现全覆盖。与此同时，"
                "县里用集中培训、上门指导、网上授课等多种方式提升贫困户做电商和自主创业"
                "的本领，截至2019年11月，累计办班224期，培养农村电商人才1.1万人。"
            ),
            (
                "成效反映在销售额上：2018年，全县农产品网络零售额为2680万元；"
                "2019年截至11月，这一数字已经达到4600多万元。"
                "像藏经庄村的姜瑜那样靠网店卖特产挣钱的农民，在浑源已经不是少数。"
            ),
        ],
        "figures": [
            {
                "indicator": "农产品网络零售额",
                "value": "2680",
                "unit": "万元",
                "year": 2018,
                "period_label": "2018年",
            },
            {
                "indicator": "农产品网络零售额",
                "value": "4600",
                "unit": "万元",
                "qualifier": "more",
                "year": 2019,
                "period_label": SO_FAR,
                "is_headline": True,
            },
            {
                "indicator": "县级电商运营服务中心占地面积",
                "value": "2000",
                "unit": "平方米",
                "year": 2019,
            },
            {
                "indicator": "线上销售的农产品种类",
                "value": "100",
                "unit": "种",
                "qualifier": "more",
                "year": 2019,
                "period_label": SO_FAR,
            },
            {
                "indicator": "建有电商服务站的乡镇",
                "value": "10",
                "unit": "个",
                "year": 2019,
            },
            {"indicator": "村级电商服务点", "value": "220", "unit": "个", "year": 2019},
            {
                "indicator": "建有电商服务点的贫困村比例",
                "value": "70",
                "unit": "%",
                "year": 2019,
            },
            {"indicator": "本地物流企业", "value": "14", "unit": "家", "year": 2019},
            {
                "indicator": "乡村物流全覆盖的乡镇",
                "value": "15",
                "unit": "个",
                "year": 2019,
            },
            {
                "indicator": "电商培训期数",
                "value": "224",
                "unit": "期",
                "year": 2019,
                "period_label": SO_FAR,
            },
            {
                "indicator": "培训农村电商人才",
                "value": "1.1",
                "unit": "万人",
                "year": 2019,
                "period_label": SO_FAR,
            },
        ],
    },
    {
        "slug": "hunyuan-consumption",
        "parent": "hunyuan-new-drivers",
        "title": "浑源县消费扶贫：专柜随处可见，品质严格把关",
        "region": "hunyuan",
        "category": "consumption",
        "source_byline": BYLINE_HUNYUAN,
        "summary": (
            "在浑源县，消费扶贫专柜随处可见。县里对消费扶贫产品的质量严格把关，"
            "让消费者买得放心，让贫困群众的产品卖得出去、卖得长久。"
        ),
        "body": [
            (
                "消费扶贫的道理很简单：消费者买下贫困地区的产品，贫困群众就多一份收入。"
                "在浑源县，专门销售扶贫产品的消费扶贫专柜随处可见。"
            ),
            (
                "县里把质量当作消费扶贫的生命线，对进入消费扶贫渠道的产品严格把关。"
                "只有东西好，买过的人才会回头再买，扶贫产品的销路才能稳定下来。"
            ),
            (
                "消费扶贫与乡村旅游、电商销售一起，"
                "是浑源县为脱贫攻坚注入新活力的几条主要路径。"
            ),
        ],
        "photos": [
            {
                "caption": "在浑源县，销售扶贫产品的消费扶贫专柜已经是常见的景象。",
                "credit": "本报记者 刘存瑞摄",
                "alt_text": "山西大同浑源县的一处消费扶贫专柜",
            },
        ],
    },
    # 2. Chengkou County, Chongqing --------------------------------------------
    {
        "slug": "chengkou-collective-economy",
        "title": "城口县：五种模式盘活农村集体经济",
        "region": "chengkou",
        "category": "collective",
        "is_featured": True,
        "source_byline": BYLINE_CHENGKOU,
        "summary": (
            "重庆市城口县地处大巴山腹地，是国家级贫困县。"
            "县里因地制宜摸索出五种村集体经济发展模式，截至2019年11月，"
            "全县已有村集体经济组织187个，分布在25个乡镇街道的190个村（涉农社区）。"
        ),
        "body": [
            (
                "城口县位于大巴山腹地，山高谷深，是国家级贫困县。过去，"
                "许多村子守着大山却过着穷日子。"
            ),
            (
                "近年来，县里让各村从自己的条件出发，探索出五种发展集体经济的模式："
                "产业带动型、资源利用型、服务创收型、租赁经营型和项目拉动型。"
                "这些做法让农村集体的资源变成了资产、资金变成了股金，"
                "为脱贫攻坚和乡村振兴增添了动力。"
            ),
            (
                "截至2019年11月，全县25个乡镇街道共有190个村（涉农社区）"
                "建起了村集体经济组织，总数达到187个，"
                "产业薄弱村和脱贫攻坚重点村一个不落，全部覆盖。"
            ),
            (
                "五种模式各有代表：修齐镇的花菇基地走租赁经营的路子，"
                "岚天乡岚溪村用闲置民房办起民宿，庙坝镇香溪村由集体办起茶叶公司，"
                "葛城街道棉沙村靠提供服务增加收入，"
                "坪坝镇光明村则组建了村里自己的施工队。"
            ),
        ],
        "figures": [
            {
                "indicator": "成立村集体经济组织的乡镇街道",
                "value": "25",
                "unit": "个",
                "year": 2019,
                "period_label": SO_FAR,
            },
            {
                "indicator": "成立村集体经济组织的村（涉农社区）",
                "value": "190",
                "unit": "个",
                "year": 2019,
                "period_label": SO_FAR,
            },
            {
                "indicator": "村集体经济组织",
                "value": "187",
                "unit": "个",
                "year": 2019,
                "period_label": SO_FAR,
                "is_headline": True,
            },
        ],
    },
    {
        "slug": "chengkou-xiuqi-mushroom-leasing",
        "parent": "chengkou-collective-economy",
        "title": "修齐镇花菇基地：村集体建厂房，企业管经营（租赁经营型）",
        "region": "xiuqi",
        "category": "collective",
        "lead_organisation": "修齐镇12个村（社区）集体经济组织",
        "source_byline": BYLINE_CHENGKOU,
        "summary": (
            "修齐镇12个村（社区）的集体经济组织出资建设花菇基地的厂房和设备，"
            "交由城口县绿创香菇种植场经营，按“保底收益+利润分红”"
            "保障村集体和农户的收益。2018年，12个村（社区）"
            "从这种租赁经营中获得收益248万元。"
        ),
        "body": [
            (
                "修齐镇一共有6个花菇产业扶贫基地，走的是“租赁经营型”的路子。"
                "镇里12个村（社区）和城口县绿创香菇种植场结成“村（社区）"
                "集体经济组织+民营企业+建卡户”的利益联结：各村集体经济组织出钱修厂房、"
                "置设备，企业负责基地的经营，村集体和农户的收益则按“保底收益+利润分红”"
                "的方式得到保障。"
            ),
            (
                "据镇里的负责人分析，这种安排对双方都有利。"
                "村集体的钱主要花在基础设施和设备上，风险被压到最低；"
                "企业的投资成本低了，把花菇卖出去的劲头也更足了。"
            ),
            (
                "2018年，12个村（社区）从租赁经营的花菇产业中拿到收益248万元，"
                "每位集体经济股东分得红利1000元。基地还让110余户群众在家门口有活干，"
                "这些务工群众人均增收2.5万元。"
            ),
            (
                "家园村的贫困户晏丽就是在基地务工的村民之一，"
                "她如今的务工收入已经超过了外出打工时。"
            ),
        ],
        "figures": [
            {"indicator": "花菇产业扶贫基地", "value": "6", "unit": "个", "year": 2019},
            {
                "indicator": "参与租赁经营的村（社区）",
                "value": "12",
                "unit": "个",
                "year": 2019,
            },
            {
                "indicator": "租赁经营带来的村集体收益",
                "value": "248",
                "unit": "万元",
                "year": 2018,
                "period_label": "2018年",
            },
            {
                "indicator": "集体经济股东每人分红",
                "value": "1000",
                "unit": "元",
                "year": 2018,
                "period_label": "2018年",
            },
            {
                "indicator": "带动务工群众",
                "value": "110",
                "unit": "户",
                "qualifier": "odd",
                "year": 2018,
                "period_label": "2018年",
            },
            {
                "indicator": "务工群众人均增收",
                "value": "2.5",
                "unit": "万元",
                "year": 2018,
                "period_label": "2018年",
            },
        ],
    },
    {
        "slug": "chengkou-lanxi-homestays",
        "parent": "chengkou-collective-economy",
        "title": "岚溪村：闲置民房入股办民宿（资源利用型）",
        "region": "lanxi",
        "category": "collective",
        "lead_organisation": "岚溪村集体经济组织",
        "source_byline": BYLINE_CHENGKOU,
        "summary": (
            "岚天乡岚溪村由村集体、有闲置房屋的农户和市场经营主体三方合股联营，"
            "225户村民把闲置民房改成民宿入股，2018年村集体经济组织收益20多万元。"
        ),
        "body": [
            (
                "城口是山区，从前守着大山却靠不上大山。如今不少贫困山村换了思路，"
                "借着好生态，把闲置的农村资源利用起来，发展生态旅游。"
            ),
            (
                "岚天乡岚溪村的做法是“资源利用型”：村集体、"
                "家里有闲置房屋的农户和市场经营主体三方合股、共同经营。"
                "全村有225户村民把自家闲着的民房改造成民宿，以房屋入股。"
            ),
            "2018年，岚溪村集体经济组织从中获得收益20多万元。",
        ],
        "figures": [
            {
                "indicator": "以闲置民房改造民宿入股的农户",
                "value": "225",
                "unit": "户",
                "year": 2019,
            },
            {
                "indicator": "村集体经济组织收益",
                "value": "20",
                "unit": "万元",
                "qualifier": "more",
                "year": 2018,
                "period_label": "2018年",
            },
        ],
    },
    {
        "slug": "chengkou-xiangxi-tea",
        "parent": "chengkou-collective-economy",
        "title": "香溪村：村集体办起茶叶公司（产业带动型）",
        "region": "xiangxi",
        "category": "collective",
        "lead_organisation": "香溪村集体经济组织",
        "source_byline": BYLINE_CHENGKOU,
        "summary": (
            "庙坝镇香溪村由集体经济组织牵头，办起了城口县幽峡茶叶有限公司，"
            "按照“村集体+农户+市场主体”的方式发展茶叶产业，公司年销售收入超过80万元。"
        ),
        "body": [
            (
                "庙坝镇香溪村选择的是“产业带动型”模式：由村集体经济组织出面，"
                "成立了城口县幽峡茶叶有限公司。"
            ),
            (
                "公司把村集体、农户和市场主体连在一起，以“村集体+农户+市场主体”"
                "的方式发展茶叶产业。"
            ),
            "目前，这家茶叶公司每年的销售收入已超过80万元。",
        ],
        "figures": [
            {
                "indicator": "城口县幽峡茶叶有限公司年销售收入",
                "value": "80",
                "unit": "万元",
                "qualifier": "over",
                "year": 2019,
            },
        ],
    },
    {
        "slug": "chengkou-miansha-services",
        "parent": "chengkou-collective-economy",
        "title": "棉沙村：靠提供服务壮大集体经济（服务创收型）",
        "region": "miansha",
        "category": "collective",
        "lead_organisation": "棉沙村集体经济组织",
        "source_byline": BYLINE_CHENGKOU,
        "summary": (
            "葛城街道棉沙村集体经济组织在服务上做文章，开展仓储物流、"
            "农村垃圾清运等业务，让这个原来的空壳村变成了富裕村。"
        ),
        "body": [
            (
                "葛城街道棉沙村走的是“服务创收型”路子：集体经济组织在提供服务上想办法、"
                "求创新。"
            ),
            (
                "村集体经济组织办起了仓储物流，还承担农村垃圾清运等服务，"
                "用服务换来集体收入。"
            ),
            "靠着这些服务上的创新，棉沙村从一个集体经济的空壳村，变成了富裕村。",
        ],
    },
    {
        "slug": "chengkou-guangming-construction",
        "parent": "chengkou-collective-economy",
        "title": "光明村：集体经济组织自建施工队（项目拉动型）",
        "region": "guangming",
        "category": "collective",
        "start_year": 2017,
        "lead_organisation": "光明村集体经济组织",
        "source_byline": BYLINE_CHENGKOU,
        "summary": (
            "坪坝镇光明村集体经济组织2017年组建施工队，承接村里的小型基础设施工程。"
            "截至2019年11月，施工队累计收益18万余元；有30名村民在队里务工，"
            "人均收入2000元。"
        ),
        "body": [
            (
                "城口县的美丽乡村建设正在全面铺开。在坪坝镇光明村，"
                "村集体经济组织自己的施工队正忙着修通往农户家门口的便道。"
            ),
            (
                "这支施工队由光明村集体经济组织于2017年组建，"
                "专门承接村里的小型基础设施项目，包括小微型农田水利、便道修建、"
                "土地整治和环境治理等。"
            ),
            (
                "负责监督便道施工的施工队负责人吴应刚说，过去村里没有自己的施工队，"
                "这类小工程只能请外面的队伍来做，价钱很高；"
                "现在由村集体经济组织自己组队，工程花费降下来了，村民也能挣到钱。"
            ),
            (
                "到2019年11月，施工队累计收益已有18万余元，"
                "30名参与务工的村民人均收入2000元。"
            ),
        ],
        "figures": [
            {
                "indicator": "施工队累计收益",
                "value": "18",
                "unit": "万元",
                "qualifier": "odd",
                "after": True,
                "year": 2019,
                "period_label": SO_FAR,
            },
            {
                "indicator": "在施工队务工的村民",
                "value": "30",
                "unit": "名",
                "year": 2019,
                "period_label": SO_FAR,
            },
            {
                "indicator": "务工村民人均收入",
                "value": "2000",
                "unit": "元",
                "year": 2019,
                "period_label": SO_FAR,
            },
        ],
    },
    # 3. Gangnan District, Guangxi (a field diary) -------------------------------
    {
        "slug": "gangnan-precise-assistance",
        "title": "港南区：精细精准，一户一策抓脱贫",
        "region": "gangnan",
        "category": "other",
        "is_featured": True,
        "start_year": 2016,
        "end_year": 2020,
        "source_byline": BYLINE_GANGNAN,
        "summary": (
            "广西贵港市港南区“十三五”期间认定贫困村50个，建档立卡贫困户1.24万多户、"
            "贫困人口4.74万多人。区委书记杨亚俊在扶贫工作手记中写道："
            "精准扶贫要先弄清每一户为什么穷，再对症施策。"
        ),
        "body": [
            (
                "港南区地处广西东南部，隶属贵港市。“十三五”期间，全区共认定贫困村50个，"
                "建档立卡的贫困户有1.24万多户、贫困人口4.74万多人。如何把扶贫工作做细、"
                "做准，是区委书记杨亚俊一直琢磨的问题。"
            ),
            (
                "在他看来，精准扶贫的关键在于精细：花最少的力气，办成最多的事。精细，"
                "就是把每户致贫的原因查清楚——技术跟不上的，就加强技能培训；"
                "手头缺钱的，就提供金融支持；因病陷入困境的，就落实医疗救助。精准，"
                "就是按病开方——有劳动能力的帮他就业，符合政策的把帮扶落实到位。"
            ),
            (
                "他主张用工匠般的耐心和绣花般的细致对待每一项工作，"
                "一个村一个村地制定办法，一户一户地解决难处，一个问题一个问题地攻克，"
                "让全区贫困群众按期脱贫、过上好日子。"
            ),
            (
                "2019年10月，杨亚俊又一次到桥圩镇锦垌村走访，先后去了两户人家："
                "一户是与祖父母相依为命的少年，一户是换了工作、离家更近的叶寿恒。"
            ),
            (
                "在全区层面，港南区从教育、医疗和产业三个方面同时发力，"
                "具体做法见下面的分项介绍。"
            ),
        ],
        "figures": [
            {
                "indicator": "认定贫困村",
                "value": "50",
                "unit": "个",
                "year": 2019,
                "period_label": "“十三五”期间",
            },
            {
                "indicator": "建档立卡贫困户",
                "value": "1.24",
                "unit": "万户",
                "qualifier": "more",
                "after": True,
                "year": 2019,
                "period_label": "“十三五”期间",
            },
            {
                "indicator": "建档立卡贫困人口",
                "value": "4.74",
                "unit": "万人",
                "qualifier": "more",
                "after": True,
                "year": 2019,
                "period_label": "“十三五”期间",
            },
        ],
    },
    {
        "slug": "gangnan-education",
        "parent": "gangnan-precise-assistance",
        "title": "港南区教育扶贫：控辍保学，资助到人",
        "region": "gangnan",
        "category": "education",
        "source_byline": BYLINE_GANGNAN,
        "summary": (
            "港南区实行“双线四包”责任制抓控辍保学。2019年，"
            "全区各类教育资助共407.86万元，惠及4749名建档立卡贫困家庭学生；“雨露计划”"
            "学历教育补助发放513多万元，受益学生3044名。"
        ),
        "body": [
            (
                "近年来，港南区严格落实“双线四包”责任制，把控辍保学工作抓实抓细，"
                "不让贫困家庭的孩子因为家里困难而失学。"
            ),
            (
                "2019年，区里向4749名建档立卡贫困家庭学生发放各类教育资助，"
                "合计407.86万元；“雨露计划”学历教育补助也惠及3044名贫困家庭学生，"
                "金额达513多万元。"
            ),
            (
                "政策之外，区里还动员社会力量参与。"
                "桥圩镇锦垌村一名少年在爷爷奶奶身边长大，除了“雨露计划”补助和教育补助，"
                "还得到爱心企业和慈善基金会每学期的捐资助学。"
            ),
        ],
        "figures": [
            {
                "indicator": "获得教育资助的建档立卡贫困家庭学生",
                "value": "4749",
                "unit": "名",
                "year": 2019,
                "period_label": "2019年",
            },
            {
                "indicator": "各类教育资助金额",
                "value": "407.86",
                "unit": "万元",
                "year": 2019,
                "period_label": "2019年",
            },
            {
                "indicator": "获得“雨露计划”学历教育补助的学生",
                "value": "3044",
                "unit": "名",
                "year": 2019,
                "period_label": "2019年",
            },
            {
                "indicator": "“雨露计划”学历教育补助金额",
                "value": "513",
                "unit": "万元",
                "qualifier": "more",
                "year": 2019,
                "period_label": "2019年",
            },
        ],
    },
    {
        "slug": "gangnan-health",
        "parent": "gangnan-precise-assistance",
        "title": "港南区健康扶贫：参保全覆盖，慢病鉴定送上门",
        "region": "gangnan",
        "category": "health",
        "lead_organisation": "港南区医保局、港南区卫健局",
        "source_byline": BYLINE_GANGNAN,
        "summary": (
            "港南区建档立卡贫困人口医疗保险参保率达到100%。2019年8月底起，区医保局、"
            "区卫健局请医疗专家免费上门筛查慢性病，不到一个月鉴定筛查4686名贫困群众，"
            "确诊特殊慢性病1186名。"
        ),
        "body": [
            (
                "在医疗保障上，港南区的建档立卡贫困人口已经全部参加医疗保险，"
                "参保率达到100%。"
            ),
            (
                "在贫困人口大病和慢性病的就医保障上，港南区也下了细功夫。2019年8月底，"
                "区医保局、区卫健局请来医疗专家，"
                "免费到贫困群众家中做慢性病的诊断鉴定和筛查。"
            ),
            (
                "不到一个月，专家们共为4686名建档立卡贫困户群众做了鉴定筛查，"
                "其中上门服务132名；筛查确诊患有特殊慢性病的群众1186名，"
                "并为他们办理了慢性病证1186份。"
            ),
        ],
        "figures": [
            {
                "indicator": "建档立卡贫困人口医疗保险参保率",
                "value": "100",
                "unit": "%",
                "year": 2019,
                "is_headline": True,
            },
            {
                "indicator": "慢性病鉴定筛查的建档立卡贫困户群众",
                "value": "4686",
                "unit": "名",
                "year": 2019,
                "period_label": "2019年8月底起不到一个月",
            },
            {
                "indicator": "上门服务的群众",
                "value": "132",
                "unit": "名",
                "year": 2019,
                "period_label": "2019年8月底起不到一个月",
            },
            {
                "indicator": "确诊特殊慢性病的群众",
                "value": "1186",
                "unit": "名",
                "year": 2019,
                "period_label": "2019年8月底起不到一个月",
            },
            {
                "indicator": "办理慢性病证",
                "value": "1186",
                "unit": "份",
                "year": 2019,
                "period_label": "2019年8月底起不到一个月",
            },
        ],
    },
    {
        "slug": "gangnan-industry",
        "parent": "gangnan-precise-assistance",
        "title": "港南区产业扶贫：每户2000元扶持稳定增收",
        "region": "gangnan",
        "category": "industry",
        "source_byline": BYLINE_GANGNAN,
        "summary": (
            "港南区出台《港南区贫困户稳定增收扶持方案》，每户扶持2000元，"
            "全区9734户符合条件的贫困户共获得扶持资金1946.8万元。"
        ),
        "body": [
            (
                "港南区的思路是，既要拔掉致贫的根子，也要培育致富的根基，"
                "而产业是这两件事共同的支撑。"
            ),
            (
                "为此，区里出台了《港南区贫困户稳定增收扶持方案》，"
                "扶持标准为每户2000元。全区符合条件的贫困户有9734户，"
                "扶持资金总计1946.8万元。"
            ),
            (
                "各镇（街道）结合本地的资源优势，因地制宜建设扶贫产业基地，"
                "把贫困户吸收到基地里来。这样既调动了贫困群众自己动手的积极性，"
                "也提高了他们自我发展的能力，让脱贫攻坚的成效更扎实。"
            ),
        ],
        "figures": [
            {
                "indicator": "每户扶持标准",
                "value": "2000",
                "unit": "元",
                "year": 2019,
                "period_label": "近年来",
            },
            {
                "indicator": "获得扶持的贫困户",
                "value": "9734",
                "unit": "户",
                "year": 2019,
                "period_label": "近年来",
            },
            {
                "indicator": "投入扶持资金",
                "value": "1946.8",
                "unit": "万元",
                "year": 2019,
                "period_label": "近年来",
                "is_headline": True,
            },
        ],
    },
    # 4. Tianzhu County, Guizhou (a photo) -------------------------------------
    {
        "slug": "tianzhu-sugarcane",
        "title": "天柱县：种甘蔗走绿色增收路",
        "region": "tianzhu",
        "category": "industry",
        "source_byline": BYLINE_TIANZHU,
        "summary": (
            "贵州省黔东南苗族侗族自治州天柱县坚守生态底线发展产业，"
            "把精准扶贫与绿色扶贫结合起来，动员贫困群众种植甘蔗。甘蔗丰收，"
            "贫困群众的收入也随之增加。"
        ),
        "body": [
            (
                "天柱县位于贵州省黔东南苗族侗族自治州。县里发展产业有一条不能碰的红线，"
                "那就是生态底线；在这个前提下推进精准扶贫和绿色扶贫。"
            ),
            (
                "种甘蔗是县里引导贫困群众选择的一项产业。甘蔗迎来丰收，"
                "当地贫困群众的收入也跟着涨了起来。"
            ),
            "本报刊发的照片摄于天柱县凤园农业园，农民们正在地里收割成熟的甘蔗。",
        ],
        "photos": [
            {
                "caption": "天柱县凤园农业园里，农民们正在收割成熟的甘蔗。",
                "credit": "龙胜洲摄（中经视觉）",
                "alt_text": "贵州天柱县凤园农业园的甘蔗地里，农民们正在收割成熟的甘蔗",
            },
        ],
    },
]

# ---------------------------------------------------------------------------
# Households and people. Persons are matched by (real_name, household).
# ---------------------------------------------------------------------------

HOUSEHOLDS = [
    # The boy lives with his grandparents: three people (the page's 低保 covers 3).
    {"key": "pan", "name": "潘蔼章户", "region": "jindong", "size": 3},
    # The page names the couple and two children, but not the household's size.
    {"key": "ye", "name": "叶寿恒户", "region": "jindong"},
]

PEOPLE = [
    {
        "key": "pan-changjun",
        "real_name": "潘长君",
        "gender": "male",
        "age": 13,
        "age_as_of": datetime.date(2019, 10, 1),
        "household": "pan",
        "household_role": "grandchild",
        "description": "锦垌村在读学生",
    },
    {
        "key": "pan-aizhang",
        "real_name": "潘蔼章",
        "gender": "male",
        "household": "pan",
        "household_role": "head",
        "description": "锦垌村村民",
    },
    {
        "key": "zhang-shidi",
        "real_name": "张仕娣",
        "gender": "female",
        "household": "pan",
        "household_role": "spouse",
        "description": "锦垌村村民",
    },
    {
        "key": "ye-shouheng",
        "real_name": "叶寿恒",
        "gender": "male",
        "household": "ye",
        "household_role": "head",
        "description": "锦垌村村民，在桥圩镇木板厂务工",
    },
    {
        "key": "pang-chunmei",
        "real_name": "庞春梅",
        "gender": "female",
        "household": "ye",
        "household_role": "spouse",
        "description": "锦垌村村民，在桥圩镇打零工",
    },
    {
        "key": "yan-li",
        "real_name": "晏丽",
        "description": "家园村贫困户，在花菇产业扶贫基地务工",
    },
    {
        "key": "jiang-yu",
        "real_name": "姜瑜",
        "gender": "male",
        "description": "藏经庄村农民电商",
    },
]

# Consents, as the newspaper would have had them when it interviewed people.
# The page gives months, not days: each is dated the first of the month of the
# interview, and says so in its notes. Keyed by person and date.
ALL_SCOPES = {
    "covers_real_name": True,
    "covers_photo": True,
    "covers_health": True,
    "covers_financial": True,
}
VERBAL = "recorded_verbal"
GANGNAN_VISIT = datetime.date(2019, 10, 1)
DATE_NOTE = "原文只写到月份（{}），日期按当月1日登记。"

CONSENTS = [
    # The boy is 13: only his guardian can consent, and his grandfather agreed
    # to the story's details (allowances, grants, donations) but not to his name
    # or photo. The story is published in full under a protected name.
    {
        "person": "pan-changjun",
        "given_by": "guardian",
        "guardian_name": "潘蔼章",
        "guardian_relationship": "祖父",
        "given_on": GANGNAN_VISIT,
        "method": VERBAL,
        "covers_financial": True,
        "notes": DATE_NOTE.format("2019年10月走访") + "不同意公开真实姓名和照片。",
    },
    *(
        {
            "person": key,
            "given_by": "person",
            "given_on": GANGNAN_VISIT,
            "method": VERBAL,
            **ALL_SCOPES,
            "notes": DATE_NOTE.format("2019年10月走访"),
        }
        for key in ("pan-aizhang", "zhang-shidi", "ye-shouheng", "pang-chunmei")
    ),
    {
        "person": "yan-li",
        "given_by": "person",
        "given_on": datetime.date(2019, 11, 1),
        "method": VERBAL,
        **ALL_SCOPES,
        "notes": DATE_NOTE.format("2019年初冬采访"),
    },
    {
        "person": "jiang-yu",
        "given_by": "person",
        "given_on": datetime.date(2019, 11, 6),
        "method": VERBAL,
        **ALL_SCOPES,
        "notes": "11月6日采访时口头同意。",
    },
]

# ---------------------------------------------------------------------------
# Stories.
# ---------------------------------------------------------------------------

STORIES = [
    {
        # A child under 14: no name in the slug, title or dek.
        "slug": "jindong-schoolboy-grandparents",
        "title": "祖孙三人相依为命，政策与爱心接力托起求学路",
        "dek": (
            "桥圩镇锦垌村一名13岁少年失去父亲后，一直跟年迈多病的爷爷奶奶生活。低保、"
            "残疾人生活补贴、教育补助和爱心企业的捐资助学，"
            "让一家人的生活和孩子的学业都有了着落。"
        ),
        "byline": "杨亚俊",
        "region": "jindong",
        "programs": ["gangnan-education"],
        "causes": ["education", "labour"],
        "body": [
            (
                "2019年10月，港南区委书记杨亚俊又一次来到桥圩镇锦垌村走访，"
                "第一站就是潘长君家。这是一户因学致贫的家庭。"
            ),
            (
                "潘长君13岁。父亲因病去世、母亲改嫁以后，"
                "他就一直和年老多病的爷爷奶奶守在一起过日子。家里没有劳动力，"
                "也就没有收入，这是一家人陷入贫困的根本原因；吃饭穿衣、"
                "看病就医和上学读书，是他们最着急的三件事。"
            ),
            (
                "这个学期开始，潘长君被安排到市里上学。杨亚俊此前去看望过他，"
                "这回见到爷爷潘蔼章，便告诉老人：孩子读书很自觉，尽管放心。"
            ),
            (
                "一同走访的扶贫干部介绍，奶奶张仕娣已经按月领到困难残疾人生活补贴80元；"
                "家里3口人也落实了B类低保，每月低保金648元。"
            ),
            (
                "上学方面，潘长君领到了“雨露计划”补助和教育补助，各1500元。杨亚俊觉得，"
                "要保证孩子把书读完，只靠政策补助还显得单薄，应该请社会力量一起出力："
                "爱心企业尽了社会责任，困难群众渡过了难关，对双方都有好处。"
            ),
            (
                "此前，他联系上桥圩福禄好家具城和马可波罗慈善基金会，"
                "在每学期开学前组织捐资助学。2019年秋季学期，"
                "两家分别给潘长君送来助学金2000元和1500元，"
                "这项资助会一直持续到他完成学业。"
            ),
        ],
        "outcome": (
            "每月有困难残疾人生活补贴和B类低保金保障基本生活；"
            "孩子2019年秋季学期起到市里读书，爱心企业和慈善基金会每学期开学前捐资助学，"
            "直到他完成学业。"
        ),
        "people": [
            {"person": "pan-changjun", "role": "受助学生"},
            {"person": "pan-aizhang", "role": "爷爷"},
            {"person": "zhang-shidi", "role": "奶奶"},
        ],
        "assistance": [
            {
                "measure": "disability_allowance",
                "description": "困难残疾人生活补贴",
                "value": "80",
                "unit": "元",
                "period": "monthly",
                "recipient": "zhang-shidi",
                "year": 2019,
            },
            {
                "measure": "minimum_living",
                "description": "B类低保金",
                "value": "648",
                "unit": "元",
                "period": "monthly",
                "covers_people": 3,
                "year": 2019,
            },
            {
                "measure": "rain_dew",
                "description": "“雨露计划”补助",
                "value": "1500",
                "unit": "元",
                "recipient": "pan-changjun",
            },
            {
                "measure": "education_aid",
                "description": "教育补助",
                "value": "1500",
                "unit": "元",
                "recipient": "pan-changjun",
            },
            {
                "measure": "donation",
                "description": (
                    "2019年秋季学期捐资助学，每学期开学前资助，持续到完成学业"
                ),
                "value": "2000",
                "unit": "元",
                "period": "term",
                "provider": "桥圩福禄好家具城",
                "provider_type": "company",
                "recipient": "pan-changjun",
                "year": 2019,
            },
            {
                "measure": "donation",
                "description": (
                    "2019年秋季学期捐资助学，每学期开学前资助，持续到完成学业"
                ),
                "value": "1500",
                "unit": "元",
                "period": "term",
                "provider": "马可波罗慈善基金会",
                "provider_type": "charity",
                "recipient": "pan-changjun",
                "year": 2019,
            },
        ],
    },
    {
        "slug": "jindong-job-closer-to-home",
        "title": "换一份离家近的工作，一家人的日子稳了",
        "dek": (
            "锦垌村村民叶寿恒原来在离家很远的砖厂打工，经推荐到桥圩镇木板厂上班后，"
            "每月基本收入3000元，还能照顾家里；两个孩子读书也得到“雨露计划”补助。"
        ),
        "byline": "杨亚俊",
        "region": "jindong",
        "programs": ["gangnan-education", "gangnan-industry"],
        "body": [
            (
                "在锦垌村走访时，杨亚俊来到村民叶寿恒家，一边补充完善这户的扶贫手册，"
                "一边和主人聊起家常。"
            ),
            (
                "脱贫以前，叶寿恒在八塘砖厂打工。砖厂离家远，活儿又累，他几乎顾不上家。"
                "妻子庞春梅在家种地，两个孩子一个读大学、一个读高中。家里挣得少、"
                "花得多，最需要的是一份更有保障的工作和孩子上学的帮扶。"
            ),
            (
                "杨亚俊推荐叶寿恒到桥圩镇的木板厂上班。现在上班的地方离家近，"
                "早晚都能回家照应，空闲时还能种些粮食和蔬菜，每月基本收入有3000元。"
                "庞春梅也在桥圩镇找了零工，每月能挣1500元。"
            ),
            (
                "靠着扶贫政策，叶家还领到了产业奖补中的优质稻补助2000元；"
                "两个孩子的“雨露计划”教育补助分别是1500元和3000元。"
            ),
        ],
        "outcome": (
            "叶寿恒从离家很远的八塘砖厂换到桥圩镇木板厂，每月基本收入3000元，"
            "还能照顾家庭；庞春梅在桥圩镇打零工，月收入1500元。"
        ),
        "people": [
            {"person": "ye-shouheng", "role": "户主"},
            {"person": "pang-chunmei", "role": "妻子"},
        ],
        "assistance": [
            {
                "measure": "industry_subsidy",
                "description": "产业奖补：优质稻补助",
                "value": "2000",
                "unit": "元",
            },
            {
                "measure": "rain_dew",
                "description": "“雨露计划”教育补助（一个孩子）",
                "value": "1500",
                "unit": "元",
                "covers_people": 1,
            },
            {
                "measure": "rain_dew",
                "description": "“雨露计划”教育补助（另一个孩子）",
                "value": "3000",
                "unit": "元",
                "covers_people": 1,
            },
        ],
        "outcomes": [
            {
                "person": "ye-shouheng",
                "description": "在桥圩镇木板厂工作的每月基本收入",
                "value": "3000",
                "unit": "元",
                "period_label": "每月",
            },
            {
                "person": "pang-chunmei",
                "description": "在桥圩镇打零工的月收入",
                "value": "1500",
                "unit": "元",
                "period_label": "每月",
            },
        ],
    },
    {
        "slug": "jiayuan-mushroom-picker",
        "title": "在村里的花菇基地上班，比外出打工挣得多",
        "dek": (
            "城口县修齐镇家园村贫困户晏丽在村里的花菇产业扶贫基地务工："
            "2018年干了3个月，挣了7000多元；2019年已经挣到2万多元。"
        ),
        "byline": BYLINE_CHENGKOU,
        "region": "jiayuan",
        "programs": ["chengkou-xiuqi-mushroom-leasing"],
        "is_featured": True,
        "body": [
            (
                "晏丽是城口县修齐镇家园村的贫困户。初冬时节，"
                "她在村里的花菇产业扶贫基地里忙个不停，"
                "把菌棒上已经长好的花菇一朵朵采收下来。"
            ),
            (
                "2018年，她在基地干了3个月，收入7000多元。2019年到记者采访时，"
                "她已经挣了2万多元。说起这笔收入，晏丽很高兴：比她出门打工时挣得还多。"
            ),
            (
                "这个基地是修齐镇6个花菇产业扶贫基地之一。镇里12个村（社区）"
                "的集体经济组织出资建厂房、买设备，由城口县绿创香菇种植场负责经营，"
                "村集体和农户按“保底收益+利润分红”获得收益。2018年，"
                "在这些基地务工的群众有110余户，人均增收2.5万元。"
            ),
        ],
        "outcome": (
            "2018年在花菇基地务工3个月挣了7000多元；2019年已挣到2万多元，"
            "超过外出打工的收入。"
        ),
        "people": [{"person": "yan-li", "role": "基地务工的贫困户"}],
        "outcomes": [
            {
                "person": "yan-li",
                "description": "在花菇基地务工3个月的收入",
                "value": "7000",
                "unit": "元",
                "qualifier": "more",
                "period_label": "2018年",
            },
            {
                "person": "yan-li",
                "description": "在花菇基地务工的收入",
                "value": "2",
                "unit": "万元",
                "qualifier": "more",
                "after": True,
                "period_label": "2019年以来",
            },
        ],
    },
    {
        "slug": "zangjingzhuang-millet-online",
        "title": "小米上了网店，一天卖出500多斤",
        "dek": (
            "浑源县藏经庄村农民电商姜瑜在京东开网店卖小米，"
            "2019年11月6日一天就卖出500多斤；在网上，1斤小米能卖到10元。"
        ),
        "byline": BYLINE_HUNYUAN,
        "region": "zangjingzhuang",
        "programs": ["hunyuan-ecommerce"],
        "is_featured": True,
        "body": [
            (
                "2019年11月6日，浑源县藏经庄村的农民电商姜瑜看着全国各地的订单一单接一"
                "单地进来，高兴得不得了：这一天，他的京东网店单是小米就卖出去500多斤，"
                "最近几天的销量还在一路往上走。"
            ),
            "让老姜更满意的是价钱。在网上，1斤小米能卖到10元。",
            (
                "在浑源，像姜瑜这样在网上卖土特产挣钱的农民已经不少，"
                "这是县里2019年大力推广电商扶贫的结果。"
                "县电商运营服务中心为农户提供免费的电商服务和技术支持，"
                "全县10个乡镇都有电商服务站，乡村物流也覆盖到了15个乡镇。"
            ),
        ],
        "outcome": (
            "网店生意红火：2019年11月6日一天卖出小米500多斤，网上每斤小米卖到10元。"
        ),
        "people": [{"person": "jiang-yu", "role": "农民电商"}],
        "outcomes": [
            {
                "person": "jiang-yu",
                "description": "京东网店一天卖出的小米",
                "value": "500",
                "unit": "斤",
                "qualifier": "more",
                "period_label": "2019年11月6日",
            },
            {
                "person": "jiang-yu",
                "description": "网上每斤小米的售价",
                "value": "10",
                "unit": "元",
                "period_label": "2019年11月",
            },
        ],
    },
]
