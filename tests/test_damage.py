"""Tests for the damage simulator (tests/damage.py).

Pages come from the corpus of each language; while a corpus has fewer than two
articles, the small fixture articles below stand in for it.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from damage import (KINDS_BY_LANG, DamagedPage, damage_page, generate_pages, load_corpus,
                    normalise_key)
from scoring import normalise, score

PAGES = 30

ZH_FIXTURES = [
    {
        "lang": "zh", "region": "东明县", "kicker": "东明县",
        "headline": "建好农村公路 铺就群众致富路",
        "title": "东明县:建好农村公路 铺就群众致富路",
        "paragraphs": [
            "近年来,山东省菏泽市东明县把农村公路建设作为服务群众的头等大事,坚持建管养运并重,累计新建改建农村公路860公里,实现了乡镇通三级路、村村通硬化路,群众出行条件明显改善。",
            "规划先行 织密乡村路网",
            "县交通运输局会同各乡镇逐村摸排道路现状,建立农村公路项目库,按照“先急后缓、连片成网”的原则分年度推进。对断头路、瓶颈路优先安排资金,打通了12条跨乡镇的断头路。",
            "资金保障上,县财政每年安排专项资金5000万元,同时积极争取上级补助和社会投资,形成了“财政主导、多方参与”的投入格局。各乡镇设立公路建设专账,做到专款专用、公开透明。",
            "质量管控上,推行“项目法人+监理+群众监督”模式,每个项目聘请2名村民担任义务质量监督员,全程参与原材料进场、路基压实和路面摊铺等关键环节的检查验收。",
            "管养并重 守护平安通途",
            "道路建成后,东明县全面落实县、乡、村三级路长制,由村党支部书记担任村级路长,组织保洁员开展日常巡查,发现问题及时上报处理,做到路面整洁、边沟畅通、标志齐全。",
            "在养护资金上,县里按照每公里每年3000元的标准拨付村道养护经费,并将养护成效纳入乡镇年度考核,考核结果与经费拨付直接挂钩,有效调动了基层管护的积极性。",
            "路通了,产业也活了。沿线村庄依托便利交通发展果蔬种植、农产品电商和乡村旅游,去年全县农村电商交易额达到9.6亿元,农村居民人均可支配收入同比增长7.8%。",
        ],
        "headings": [1, 5],
    },
    {
        "lang": "zh", "region": "巨野县", "kicker": "巨野县",
        "headline": "书香飘进农家院 文化惠民润心田",
        "title": "巨野县:书香飘进农家院 文化惠民润心田",
        "paragraphs": [
            "今年以来,山东省菏泽市巨野县持续推进公共文化服务向基层延伸,以农家书屋提质增效为抓手,新建城乡书房18家,开展各类阅读活动460余场次,让群众在家门口就能享受到丰富的文化生活。",
            "盘活阵地 让书屋亮起来",
            "巨野县对全县农家书屋进行全面普查,对图书陈旧、使用率低的书屋逐一建立整改台账。县图书馆定期调配新书,每年为每个书屋更新图书不少于200册,并配备电子阅读设备,实现图书借阅与县馆通借通还。",
            "为解决书屋“开门难”的问题,各村选聘热心群众担任书屋管理员,实行错时开放,晚上和节假日照常接待读者。管理员每月登记借阅情况,县文旅局按季度通报各乡镇书屋运行情况。",
            "丰富活动 让群众读起来",
            "各书屋结合农时节令开展“读书+”系列活动,春季举办种植技术讲座,夏季组织少儿暑期阅读营,秋冬季开展家风故事分享会,吸引不同年龄段群众走进书屋。",
            "县里还组建了由退休教师、大学生志愿者组成的阅读推广队伍,深入田间地头和农家院落开展送书上门、读书分享等服务,累计服务群众3.2万人次。",
            "“以前农闲时大家多是聚在一起聊天,现在常到书屋看书、听讲座,学到的技术真能用在地里。”龙堌镇一位种植户说。书香正在成为乡村振兴的新底色。",
        ],
        "headings": [1, 4],
    },
    {
        "lang": "zh", "region": "成武县", "kicker": None,
        "headline": "成武县推行“小巷管家” 解决居民身边难题",
        "title": "成武县推行“小巷管家” 解决居民身边难题",
        "paragraphs": [
            "为破解老旧小区治理难题,山东省菏泽市成武县在城区推行“小巷管家”制度,从社区党员、退休干部和热心居民中选聘管家312名,负责巷道环境、邻里纠纷和民生诉求的收集办理。",
            "每名小巷管家分包一条小巷或一个楼院,每天至少巡查一次,对发现的乱堆乱放、路灯损坏、下水道堵塞等问题,能当场解决的当场解决,不能解决的通过社区平台上报,相关部门限时办结。",
            "为提高管家履职能力,县里定期组织业务培训,讲解政策法规、矛盾调解技巧和应急处置常识,并建立积分激励机制,积分可兑换生活用品或参与评先树优。",
            "多方联动 提升办事效率",
            "成武县将小巷管家纳入城市网格化管理体系,与住建、城管、供水、供电等部门建立联席会议制度,每月召开一次协调会,集中研究解决群众反映集中的问题。",
            "制度推行以来,小巷管家累计收集各类问题2100余件,办结率达到96%,居民满意度明显提升。下一步,成武县将总结经验做法,逐步把这一制度推广到各乡镇驻地。",
        ],
        "headings": [3],
    },
]

EN_FIXTURES = [
    {
        "lang": "en", "region": "MILL COUNTY", "kicker": "MILL COUNTY",
        "headline": "Commissioners approve new recycling contract",
        "title": "MILL COUNTY: Commissioners approve new recycling contract",
        "paragraphs": [
            "MILLTOWN — County commissioners on Thursday approved a five-year recycling contract that will add curbside glass collection in the county's eleven townships and hold the annual fee for households at $96, the same amount residents have paid since 2024.",
            "The contract with a regional hauler replaces an agreement that expires in March. Officials said the hauler's bid was the lowest of three and was the only one that included glass, which the county stopped collecting four years ago when the market for crushed glass collapsed.",
            "\"People have been asking us for glass pickup ever since we dropped it,\" said Commissioner Ruth Albright. \"This gets it back without asking anyone to pay more.\"",
            "Pickup schedule",
            "Collection will move from Monday to Wednesday in the northern townships, and residents will receive a new calendar and a second bin in the mail during February. Glass must be rinsed and kept separate from paper, cans and plastic containers.",
            "The county's recycling coordinator said the change should lower contamination, which has cost the program about $40,000 a year in penalties, and that a public information campaign will begin at libraries and township buildings next month.",
        ],
        "headings": [3],
    },
    {
        "lang": "en", "region": "Riverton", "kicker": None,
        "headline": "Riverton council delays vote on downtown lighting",
        "title": "Riverton council delays vote on downtown lighting",
        "paragraphs": [
            "RIVERTON — Borough council on Monday postponed a vote on replacing the downtown street lights after several business owners asked for more time to review the design, which would swap the existing sodium fixtures for brighter and more efficient LED lamps.",
            "The $640,000 project would be paid for largely with a state transportation grant. Council President Alan Whitmore said the borough must commit to a design by the end of April to keep the grant, leaving time for one more public meeting.",
            "Merchants along Front Street said they support the upgrade but worry that the proposed poles are too tall for the historic district and that the new lamps could shine into apartments above the storefronts.",
            "Whitmore said the engineer would bring two alternative designs to the council's next workshop, including a shorter pole modeled on fixtures used in neighboring Millbrook, and that residents could comment before any vote.",
            "Council also approved a contract for sidewalk repairs on Water Street and scheduled a hearing on the proposed 2027 budget for Dec. 9 at borough hall.",
        ],
        "headings": [],
    },
]

FIXTURES = {"zh": ZH_FIXTURES, "en": EN_FIXTURES}


def corpus_is_usable(lang: str) -> bool:
    return len({a["region"] for a in load_corpus(lang)}) >= 2


def articles_for(lang: str) -> list[dict]:
    """The corpus of a language, or the fixtures while the corpus is too small."""
    return load_corpus(lang) if corpus_is_usable(lang) else FIXTURES[lang]


@pytest.fixture(scope="module", params=["zh", "en"])
def lang(request):
    return request.param


@pytest.fixture(scope="module", params=["corpus", "fixtures"])
def source(request, lang) -> list[dict]:
    """The articles pages are built from: the corpus (when usable) and the fixtures."""
    if request.param == "fixtures":
        return FIXTURES[lang]
    if not corpus_is_usable(lang):
        pytest.skip(f"tests/corpus/{lang}/ has articles of fewer than 2 regions")
    return load_corpus(lang)


@pytest.fixture(scope="module")
def pages(lang, source) -> list[DamagedPage]:
    return generate_pages(lang, PAGES, seed=7, articles=source)


# ---------------------------------------------------------------- helpers

def recoverable(paragraph: str, page_key: str, min_piece: int = 3) -> bool:
    """The paragraph is a sequence of pieces (3+ characters each) that all occur in
    the page, both in normalised form (whitespace and hyphenated line ends removed).
    Pieces are taken greedily, longest first."""
    text = normalise(paragraph)
    start = 0
    while start < len(text):
        lo, hi = start, len(text)  # text[start:lo] is on the page; find the longest
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if text[start:mid] in page_key:
                lo = mid
            else:
                hi = mid - 1
        if lo - start < min(min_piece, len(text) - start):
            return False
        start = lo
    return True


def title_starts(block: str, gold: dict) -> dict | None:
    """The gold article whose title (or kicker, or headline) this block is."""
    key = normalise(block)
    for article in gold["articles"]:
        title = normalise(article["title"])
        kicker, colon, headline = title.partition(":")
        if key == title or key == headline or (colon and key == kicker + ":"):
            return article
    return None


def split_raw(page: DamagedPage) -> list[dict]:
    """The damaged page as-is, cut into articles at kicker and headline blocks."""
    articles = [{"region": "(before the first title)", "paragraphs": []}]
    for block in (b.strip() for b in page.text.split("\n\n")):
        if not block:
            continue
        article = title_starts(block, page.gold)
        if article and article["region"] != articles[-1]["region"]:
            articles.append({"region": article["region"], "title": article["title"],
                             "paragraphs": []})
        if not article:
            articles[-1]["paragraphs"].append(block)
    return [a for a in articles if a["paragraphs"] or a.get("title")]


# ---------------------------------------------------------------- tests

def test_same_seed_same_page(lang):
    articles = articles_for(lang)
    first = generate_pages(lang, 5, seed=3, articles=articles)
    again = generate_pages(lang, 5, seed=3, articles=articles)
    assert [p.text for p in first] == [p.text for p in again]
    assert first == again
    other = generate_pages(lang, 5, seed=4, articles=articles)
    assert [p.text for p in first] != [p.text for p in other]


def test_damage_page_is_deterministic(lang):
    articles = articles_for(lang)[:3]
    assert damage_page(articles, 11, lang) == damage_page(articles, 11, lang)


def test_generate_pages_uses_the_corpus(lang):
    if not corpus_is_usable(lang):
        pytest.skip(f"tests/corpus/{lang}/ has articles of fewer than 2 regions")
    pages = generate_pages(lang, 3, seed=1)
    assert len(pages) == 3 and all(p.gold["articles"] for p in pages)


def test_pages_have_2_to_4_articles_of_distinct_regions(pages):
    for page in pages:
        regions = [a["region"] for a in page.gold["articles"]]
        assert 2 <= len(regions) <= 4
        assert len(set(regions)) == len(regions)


def test_every_damage_kind_occurs(pages, lang):
    seen = set().union(*(p.kinds for p in pages))
    assert seen == set(KINDS_BY_LANG[lang])


def test_every_page_has_at_least_three_kinds(pages):
    for page in pages:
        assert len(page.kinds) >= 3, page.log


def test_gold_is_the_clean_articles(pages, source):
    by_title = {a["title"]: a for a in source}
    for page in pages:
        for article in page.gold["articles"]:
            clean = by_title[article["title"]]
            assert article["paragraphs"] == clean["paragraphs"]
            assert article["region"] == clean["region"]


def test_every_gold_paragraph_is_recoverable(pages):
    for page in pages:
        key = normalise_key(page.text)
        for article in page.gold["articles"]:
            assert recoverable(article["title"], key), article["title"]
            for paragraph in article["paragraphs"]:
                assert recoverable(paragraph, key), (paragraph, page.log)


def test_recoverable_catches_lost_text():
    page = normalise_key("甲县今年修了\n\n三条路。")
    assert recoverable("甲县今年修了三条路。", page)
    assert not recoverable("甲县今年修了四条路。", page)


def test_blocks_are_blank_line_separated(pages):
    for page in pages:
        assert "\n\n\n" not in page.text.strip()
        assert all(b.strip() for b in page.text.strip().split("\n\n"))


def test_english_body_is_wrapped(lang, pages):
    if lang != "en":
        pytest.skip("only English is hard-wrapped")
    lines = [line for p in pages for line in p.text.splitlines() if line]
    # only headlines, headings and markers are longer than the widest column
    assert sum(len(line) > 75 for line in lines) < 0.02 * len(lines)
    assert any(re.search(r"[a-z]-$", line) for line in lines)  # hyphenated line ends


def test_gold_scores_perfectly_against_itself(pages):
    for page in pages:
        report = score(page.gold, page.gold["articles"])
        assert report["mean_f1"] == 1.0
        assert report["total_missing"] == report["total_broken"] == 0


def test_raw_page_scores_clearly_below_one(pages):
    """Every page has a copy damage, so the page read as-is never scores 1."""
    results = [score(p.gold, split_raw(p))["weighted_f1"] for p in pages]
    assert max(results) < 1.0, results
    assert sum(results) / len(results) < 0.93, results


def test_pages_do_not_depend_on_string_hashing(tmp_path):
    """Same pages under two PYTHONHASHSEEDs: no set order or hash() leaks in."""
    script = ("import hashlib, damage\n"
              "pages = damage.generate_pages('en', 5, seed=5) + damage.generate_pages('zh', 5, seed=5)\n"
              "print(hashlib.sha256(''.join(p.text for p in pages).encode()).hexdigest())\n")
    if not (corpus_is_usable("en") and corpus_is_usable("zh")):
        pytest.skip("needs both corpora")
    digests = set()
    for hash_seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        result = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parent,
                                env=env, capture_output=True, text=True, check=True)
        digests.add(result.stdout.strip())
    assert len(digests) == 1
