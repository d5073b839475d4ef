"""Synthetic knowledge graphs in kgtool's own ontology, to measure kgtool at scale.

    >>> from kgtool.bench.synthetic import generate
    >>> summary = generate("synthetic.nt", triples=100_000, seed=1)
    >>> kg = KnowledgeGraph.load(extra=[summary.path])
    >>> kg.measures_reaching(summary.examples["company"])

The generated file extends the shipped graph (it names kgd:China, kgd:UnitedStates,
kgd:USGovernment, the shipped vocabularies and scope criteria) and is meant to be loaded beside
it. It holds what the article's graph holds, many times over: organisations in countries,
people in roles, AI models, apps, platforms, chips and their makers, government bodies,
instruments and policy measures with scope criteria, dated events, sources cut into segments in
Chinese or English, and claims with claimants, kinds, evidence statuses, disputes and support.
Every fact between entities carries an owl:Axiom citing the segment that states it, as in
`data/`, so the data conforms to `ontology/shapes.ttl` and the named queries answer on it.

Claims are skewed as attention is: claimants and the companies claims are about are drawn
from Zipf distributions, so a few actors make and attract most claims. The policy layer
(government bodies, instruments, measures, criteria, countries) grows with the logarithm of
the size: a larger graph of this domain has many more companies, people, sources and claims,
not proportionally more laws. Everything else grows linearly.

The triples are written as they are made (N-Triples for `.nt`, Turtle for `.ttl`), never held
together in memory: 10 million triples take about a gigabyte of file and little memory. The
same seed and size give the same bytes.

Over 500 lines: one generator per kind of thing in the ontology, all drawing from one seeded
stream, so that a seed always gives the same graph; split, they would have to share that stream.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, TextIO

from kgtool.namespaces import KG, KGD, KGV, OWL, PREFIXES, RDF, RDFS, XSD

#: The sizes the generator is meant for (triples of the generated file alone).
MIN_TRIPLES: Final = 1_000
MAX_TRIPLES: Final = 20_000_000

Name = tuple[str, str]  # (English, Chinese in Traditional characters)


class _T:
    """The ontology terms and shipped individuals the generator writes, in one place."""

    # classes
    Company = KG.NS + "Company"
    InvestmentFirm = KG.NS + "InvestmentFirm"
    MediaOrganization = KG.NS + "MediaOrganization"
    Person = KG.NS + "Person"
    Group = KG.NS + "Group"
    Role = KG.NS + "Role"
    Country = KG.NS + "Country"
    AIModel = KG.NS + "AIModel"
    OpenSourceModel = KG.NS + "OpenSourceModel"
    Application = KG.NS + "Application"
    HostingPlatform = KG.NS + "HostingPlatform"
    AppStore = KG.NS + "AppStore"
    SocialMediaPlatform = KG.NS + "SocialMediaPlatform"
    GPU = KG.NS + "GPU"
    Chip = KG.NS + "Chip"
    GovernmentDepartment = KG.NS + "GovernmentDepartment"
    ExecutiveOffice = KG.NS + "ExecutiveOffice"
    Statute = KG.NS + "Statute"
    Regulation = KG.NS + "Regulation"
    ExportControlRegime = KG.NS + "ExportControlRegime"
    SanctionsList = KG.NS + "SanctionsList"
    PolicyMeasure = KG.NS + "PolicyMeasure"
    ScopeCriterion = KG.NS + "ScopeCriterion"
    Event = KG.NS + "Event"
    Article = KG.NS + "Article"
    Statement = KG.NS + "Statement"
    SocialMediaPost = KG.NS + "SocialMediaPost"
    TextSegment = KG.NS + "TextSegment"
    Claim = KG.NS + "Claim"
    # properties
    headquarteredIn = KG.NS + "headquarteredIn"
    locatedIn = KG.NS + "locatedIn"
    develops = KG.NS + "develops"
    operates = KG.NS + "operates"
    operatedBy = KG.NS + "operatedBy"
    uses = KG.NS + "uses"
    publishesOn = KG.NS + "publishesOn"
    listedOn = KG.NS + "listedOn"
    foundedBy = KG.NS + "foundedBy"
    leads = KG.NS + "leads"
    investorIn = KG.NS + "investorIn"
    holdsRole = KG.NS + "holdsRole"
    roleHolder = KG.NS + "roleHolder"
    roleIn = KG.NS + "roleIn"
    roleStatus = KG.NS + "roleStatus"
    roleTitle = KG.NS + "roleTitle"
    employeeCountMin = KG.NS + "employeeCountMin"
    openSource = KG.NS + "openSource"
    trainedWith = KG.NS + "trainedWith"
    servesUsersIn = KG.NS + "servesUsersIn"
    availableOn = KG.NS + "availableOn"
    subjectToJurisdiction = KG.NS + "subjectToJurisdiction"
    exportControlStatus = KG.NS + "exportControlStatus"
    subOrganizationOf = KG.NS + "subOrganizationOf"
    issuedBy = KG.NS + "issuedBy"
    issuedUnder = KG.NS + "issuedUnder"
    appliesIn = KG.NS + "appliesIn"
    restricts = KG.NS + "restricts"
    issuedDate = KG.NS + "issuedDate"
    effectiveDate = KG.NS + "effectiveDate"
    date = KG.NS + "date"
    measureStatus = KG.NS + "measureStatus"
    legalBasis = KG.NS + "legalBasis"
    actingBody = KG.NS + "actingBody"
    mechanism = KG.NS + "mechanism"
    scopeCriterion = KG.NS + "scopeCriterion"
    limitedBy = KG.NS + "limitedBy"
    topic = KG.NS + "topic"
    criterionProperty = KG.NS + "criterionProperty"
    criterionVia = KG.NS + "criterionVia"
    criterionValue = KG.NS + "criterionValue"
    criterionClass = KG.NS + "criterionClass"
    subjectOfClaim = KG.NS + "subjectOfClaim"
    involves = KG.NS + "involves"
    actor = KG.NS + "actor"
    author = KG.NS + "author"
    publisher = KG.NS + "publisher"
    medium = KG.NS + "medium"
    segmentOf = KG.NS + "segmentOf"
    paragraph = KG.NS + "paragraph"
    exactQuote = KG.NS + "exactQuote"
    startOffset = KG.NS + "startOffset"
    endOffset = KG.NS + "endOffset"
    evidence = KG.NS + "evidence"
    backgroundSource = KG.NS + "backgroundSource"
    support = KG.NS + "support"
    Stated = KGV + "Stated"
    Background = KGV + "Background"
    claimant = KG.NS + "claimant"
    claimKind = KG.NS + "claimKind"
    evidenceStatus = KG.NS + "evidenceStatus"
    statement = KG.NS + "statement"
    statedIn = KG.NS + "statedIn"
    about = KG.NS + "about"
    assertsSubject = KG.NS + "assertsSubject"
    assertsRelation = KG.NS + "assertsRelation"
    assertsObject = KG.NS + "assertsObject"
    disputes = KG.NS + "disputes"
    supports = KG.NS + "supports"
    # shipped individuals the synthetic world hangs on
    China = KGD + "China"
    UnitedStates = KGD + "UnitedStates"
    USGovernment = KGD + "USGovernment"
    CommerceDepartment = KGD + "CommerceDepartment"
    ExportControlLaw = KGD + "ExportControlLaw"
    EntityList = KGD + "EntityList"
    FirstAmendment = KGD + "FirstAmendment"
    crit_based_in_china = KGD + "crit-based-in-china"
    crit_develops_ai_model = KGD + "crit-develops-ai-model"
    crit_operates_app_serving_us = KGD + "crit-operates-app-serving-us"
    crit_publishes_on_us_platform = KGD + "crit-publishes-on-us-platform"
    crit_listed_on_entity_list = KGD + "crit-listed-on-entity-list"
    crit_accused = KGD + "crit-accused-of-export-violation"
    # controlled vocabularies (ontology/vocab.ttl)
    MEASURE_STATUSES = tuple(
        KGV + name
        for name in (
            "InForce",
            "IssuedNotYetEffective",
            "LegallyAvailable",
            "Proposed",
            "Speculated",
            "ConsideredAbandoned",
            "AttemptedStruckDown",
        )
    )
    MECHANISMS = tuple(
        KGV + name
        for name in (
            "ExportLicensing",
            "Listing",
            "Investigation",
            "AppRemoval",
            "TransactionProhibition",
            "DataTransferRestriction",
            "PlatformAccessRestriction",
            "OpenModelControl",
        )
    )
    TOPICS = tuple(
        KGV + name
        for name in (
            "ChipExportPolicy",
            "OpenSourceRegulation",
            "AppRegulation",
            "CrossBorderData",
            "AICompetition",
        )
    )
    ExportControlViolation = KGV + "ExportControlViolation"
    ModelDerivation = KGV + "ModelDerivation"
    AICompetition = KGV + "AICompetition"
    ChipExportPolicy = KGV + "ChipExportPolicy"
    AppRegulation = KGV + "AppRegulation"
    Accusation = KGV + "Accusation"
    Denial = KGV + "Denial"
    Assertion = KGV + "Assertion"
    Opinion = KGV + "Opinion"
    Prediction = KGV + "Prediction"
    Recommendation = KGV + "Recommendation"
    NoEvidenceOffered = KGV + "NoEvidenceOffered"
    DeniedBySubject = KGV + "DeniedBySubject"
    Unverified = KGV + "Unverified"
    Contested = KGV + "Contested"
    CurrentRole = KGV + "CurrentRole"
    FormerRole = KGV + "FormerRole"
    Controlled = KGV + "Controlled"
    NotControlled = KGV + "NotControlled"


# ----------------------------------------------------------------------------------------------
# Names: English and Traditional Chinese parts, combined with a running number for uniqueness

_COUNTRIES: Final[tuple[Name, ...]] = (
    ("Japan", "日本"),
    ("South Korea", "韓國"),
    ("Singapore", "新加坡"),
    ("Germany", "德國"),
    ("France", "法國"),
    ("United Kingdom", "英國"),
    ("India", "印度"),
    ("Netherlands", "荷蘭"),
    ("Israel", "以色列"),
    ("Canada", "加拿大"),
    ("Malaysia", "馬來西亞"),
    ("Vietnam", "越南"),
    ("United Arab Emirates", "阿拉伯聯合酋長國"),
    ("Saudi Arabia", "沙特阿拉伯"),
    ("Brazil", "巴西"),
    ("Australia", "澳大利亞"),
    ("Indonesia", "印度尼西亞"),
    ("Switzerland", "瑞士"),
    ("Sweden", "瑞典"),
    ("Mexico", "墨西哥"),
    ("Thailand", "泰國"),
    ("Italy", "意大利"),
)
_CN_FIRM: Final[tuple[Name, ...]] = (
    ("Tianhe", "天河"),
    ("Hengtai", "恒泰"),
    ("Zhiyuan", "智源"),
    ("Kunlun", "崑崙"),
    ("Xinghuo", "星火"),
    ("Yuanjing", "遠景"),
    ("Shenlan", "深藍"),
    ("Qiming", "啟明"),
    ("Moxin", "墨心"),
    ("Lingxi", "靈犀"),
    ("Jiuzhang", "九章"),
    ("Taichu", "太初"),
    ("Zidong", "紫東"),
    ("Yunshu", "雲樞"),
    ("Hanxin", "瀚芯"),
    ("Qingyun", "青雲"),
)
_US_FIRM: Final[tuple[Name, ...]] = (
    ("Redwood", "紅木"),
    ("Summit", "頂峰"),
    ("Cascade", "喀斯喀特"),
    ("Harbor", "港灣"),
    ("Meridian", "子午線"),
    ("Granite", "花崗岩"),
    ("Beacon", "燈塔"),
    ("Pioneer", "先鋒"),
    ("Sierra", "塞拉"),
    ("Atlas", "阿特拉斯"),
    ("Frontier", "前沿"),
    ("Keystone", "基石"),
)
_FIRM_KIND: Final[tuple[Name, ...]] = (
    ("Intelligence", "智能"),
    ("Technology", "科技"),
    ("AI", "人工智能"),
    ("Labs", "實驗室"),
    ("Systems", "系統"),
    ("Data", "數據"),
    ("Cloud", "雲計算"),
)
_CN_SURNAMES: Final[tuple[Name, ...]] = (
    ("Zhang", "張"),
    ("Li", "李"),
    ("Wang", "王"),
    ("Chen", "陳"),
    ("Liu", "劉"),
    ("Yang", "楊"),
    ("Huang", "黃"),
    ("Zhao", "趙"),
    ("Wu", "吳"),
    ("Zhou", "周"),
    ("Xu", "徐"),
    ("Sun", "孫"),
    ("Ma", "馬"),
    ("Hu", "胡"),
    ("Guo", "郭"),
    ("Lin", "林"),
)
_CN_GIVEN: Final[tuple[Name, ...]] = (
    ("Wei", "偉"),
    ("Fang", "芳"),
    ("Min", "敏"),
    ("Jing", "靜"),
    ("Lei", "磊"),
    ("Yong", "勇"),
    ("Jun", "軍"),
    ("Jie", "傑"),
    ("Tao", "濤"),
    ("Ming", "明"),
    ("Chao", "超"),
    ("Hua", "華"),
    ("Hui", "輝"),
    ("Ning", "寧"),
    ("Kai", "凱"),
    ("Lan", "蘭"),
)
_US_GIVEN: Final[tuple[Name, ...]] = (
    ("James", "詹姆斯"),
    ("Mary", "瑪麗"),
    ("Robert", "羅伯特"),
    ("Patricia", "帕特里夏"),
    ("John", "約翰"),
    ("Jennifer", "珍妮弗"),
    ("Michael", "邁克爾"),
    ("Linda", "琳達"),
    ("David", "戴維"),
    ("Susan", "蘇珊"),
    ("Richard", "理查德"),
    ("Sarah", "薩拉"),
)
_US_SURNAMES: Final[tuple[Name, ...]] = (
    ("Smith", "史密斯"),
    ("Johnson", "約翰遜"),
    ("Williams", "威廉斯"),
    ("Brown", "布朗"),
    ("Miller", "米勒"),
    ("Davis", "戴維斯"),
    ("Wilson", "威爾遜"),
    ("Anderson", "安德森"),
    ("Taylor", "泰勒"),
    ("Clark", "克拉克"),
    ("Walker", "沃克"),
    ("Young", "楊"),
)
_ROLE_TITLES: Final[tuple[Name, ...]] = (
    ("chief executive officer", "首席執行官"),
    ("founder", "創始人"),
    ("chief scientist", "首席科學家"),
    ("chief technology officer", "首席技術官"),
    ("board member", "董事"),
    ("partner", "合伙人"),
    ("executive", "高管"),
    ("researcher", "研究員"),
)
_GROUPS: Final[tuple[Name, ...]] = (
    ("analysts", "分析人士"),
    ("policymakers", "政策制定者"),
    ("open-source developers", "開源開發者"),
    ("investors", "投資者"),
    ("chip-industry lobbyists", "芯片行業游說者"),
    ("national-security hawks", "國家安全鷹派"),
    ("AI researchers", "人工智能研究者"),
)
_BODIES: Final[tuple[Name, ...]] = (
    ("Office of Technology Security", "技術安全辦公室"),
    ("Export Enforcement Division", "出口執法司"),
    ("Data Security Bureau", "數據安全局"),
    ("Committee on Emerging Technology", "新興技術委員會"),
    ("Office of Supply Chain Review", "供應鏈審查辦公室"),
)
_INSTRUMENTS: Final[tuple[tuple[str, Name], ...]] = (
    (_T.ExportControlRegime, ("Advanced Chip Export Rule", "先進芯片出口規則")),
    (_T.Regulation, ("Connected Software Rule", "聯網軟件規則")),
    (_T.Statute, ("Technology Security Act", "技術安全法")),
    (_T.Regulation, ("Sensitive Data Transfer Rule", "敏感數據轉移規則")),
    (_T.ExportControlRegime, ("Model Weights Export Rule", "模型權重出口規則")),
)
_PLATFORMS: Final[tuple[tuple[str, Name], ...]] = (
    (_T.HostingPlatform, ("CodeHarbor", "代碼港")),
    (_T.AppStore, ("AppMarket", "應用市場")),
    (_T.SocialMediaPlatform, ("Chatter", "閒談")),
)


def _dated(rng: random.Random) -> str:
    """A day from 2018 to 2025, as kgtool writes dates: an xsd:dateTime at midnight."""
    year, month, day = rng.randrange(2018, 2026), rng.randrange(1, 13), rng.randrange(1, 29)
    return f"{year}-{month:02d}-{day:02d}T00:00:00"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


class _Writer:
    """Writes subjects with their (predicate, object) pairs as N-Triples or Turtle, counting.

    Terms are formatted once, in the output's syntax (`iri`, `node`, `text`, `datetime`,
    `integer`), then passed around as strings.
    """

    def __init__(self, out: TextIO, *, turtle: bool) -> None:
        self._out = out
        self._turtle = turtle
        self.count = 0
        self._blank = 0
        self._cache: dict[str, str] = {}
        self._prefixes = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
        self.a = "a" if turtle else self.iri(RDF.type)
        self.label = self.iri(RDFS.label)
        self._axiom = self.iri(OWL.NS + "Axiom")
        self._source = self.iri(OWL.NS + "annotatedSource")
        self._property = self.iri(OWL.NS + "annotatedProperty")
        self._target = self.iri(OWL.NS + "annotatedTarget")
        self._evidence = self.iri(_T.evidence)
        self._background = self.iri(_T.backgroundSource)
        self._support = self.iri(_T.support)
        self._grade = {
            self._evidence: self.iri(_T.Stated),
            self._background: self.iri(_T.Background),
        }
        self._datetime = self.iri(XSD.dateTime)
        self._integer = self.iri(XSD.integer)
        self._boolean = self.iri(XSD.boolean)
        if turtle:
            out.write("".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()) + "\n")

    def iri(self, iri: str) -> str:
        """A vocabulary term (remembered: the same few are written millions of times)."""
        found = self._cache.get(iri)
        if found is None:
            found = self._cache[iri] = self.node(iri)
        return found

    def node(self, iri: str) -> str:
        """Any IRI: a prefixed name in Turtle where one fits, else <iri>."""
        if self._turtle:
            for prefix, namespace in self._prefixes:
                local = iri[len(namespace) :]
                if iri.startswith(namespace) and local.replace("-", "").isalnum():
                    return f"{prefix}:{local}"
        return f"<{iri}>"

    def text(self, value: str, lang: str | None = None) -> str:
        return f'"{_escape(value)}"' + (f"@{lang}" if lang else "")

    def datetime(self, lexical: str) -> str:
        return f'"{lexical}"^^{self._datetime}'

    def integer(self, value: int) -> str:
        return str(value) if self._turtle else f'"{value}"^^{self._integer}'

    def true(self) -> str:
        return "true" if self._turtle else f'"true"^^{self._boolean}'

    def block(self, subject: str, pairs: Sequence[tuple[str, str]]) -> None:
        """One subject and its (predicate, object) pairs: a Turtle block, or N-Triples lines."""
        self.count += len(pairs)
        if self._turtle:
            body = " ;\n    ".join(f"{p} {o}" for p, o in pairs)
            self._out.write(f"{subject}\n    {body} .\n\n")
        else:
            self._out.write("".join(f"{subject} {p} {o} .\n" for p, o in pairs))

    def fact(self, subject: str, predicate: str, obj: str, segment: str) -> tuple[str, str]:
        """Annotate `subject predicate obj` with the segment that states it (an owl:Axiom,
        as in data/); returns the pair, for the subject's block."""
        self._annotate(subject, predicate, obj, self._evidence, segment)
        return predicate, obj

    def background(self, subject: str, predicate: str, obj: str, record: str) -> tuple[str, str]:
        """Like `fact`, for a fact a background record states rather than a segment."""
        self._annotate(subject, predicate, obj, self._background, self.text(record))
        return predicate, obj

    def _annotate(self, s: str, p: str, o: str, how: str, source: str) -> None:
        # a segment states the fact (stated), a record gives it (background), as in data/
        grade = self._grade[how]
        self.count += 6
        if self._turtle:
            self._out.write(
                f"[] a {self._axiom} ; {self._source} {s} ; {self._property} {p} ; "
                f"{self._target} {o} ; {self._support} {grade} ; {how} {source} .\n"
            )
            return
        self._blank += 1
        b = f"_:x{self._blank}"
        self._out.write(
            f"{b} {self.a} {self._axiom} .\n{b} {self._source} {s} .\n"
            f"{b} {self._property} {p} .\n{b} {self._target} {o} .\n"
            f"{b} {self._support} {grade} .\n{b} {how} {source} .\n"
        )


class _Zipf:
    """Draws 0..n-1, rank r with probability proportional to 1 / (r + 1) ** exponent."""

    def __init__(self, n: int, exponent: float, rng: random.Random) -> None:
        self._cumulative = list(itertools.accumulate((r + 1) ** -exponent for r in range(n)))
        self._rng = rng

    def draw(self) -> int:
        point = self._rng.random() * self._cumulative[-1]
        return min(bisect.bisect_right(self._cumulative, point), len(self._cumulative) - 1)


@dataclass(frozen=True)
class _Entity:
    """A generated (or shipped) entity: its IRI, its term as written, its two names."""

    iri: str
    term: str
    name: Name


@dataclass
class _Company:
    entity: _Entity
    country: str
    models: list[_Entity] = field(default_factory=list)
    apps: list[_Entity] = field(default_factory=list)


@dataclass(frozen=True)
class Summary:
    """What `generate` wrote: the file, its triples (requested and written), the number of
    entities of each kind, and IRIs to query with: `company`, a Chinese AI company with an app
    that an ordinary share of claims is about; `hub`, the company most claims are about;
    `claimant`, the most prolific claimant; `person`, someone with roles."""

    path: Path
    triples: int
    requested: int
    seed: int
    counts: dict[str, int]
    examples: dict[str, str]


class _Generator:
    #: How skewed attention is: claimants and the companies claims are about are drawn from
    #: Zipf distributions with these exponents, so that the top 5% of actors make most claims
    #: and a few companies are what most claims are about.
    ZIPF_CLAIMANTS = 1.6
    ZIPF_SUBJECTS = 1.3
    #: The share of the triples spent on the world (companies, people, artefacts, events);
    #: claims, with their segments and sources, fill the rest up to the requested size.
    WORLD_SHARE = 0.5
    #: Triples that one company brings with its people, roles, models, apps and events
    #: (measured on generated graphs), to size the world.
    UNIT_TRIPLES = 150
    #: Sentences a source has before the next source starts.
    SEGMENTS_PER_SOURCE = 12

    def __init__(self, writer: _Writer, triples: int, seed: int) -> None:
        self.w = writer
        self.rng = random.Random(seed)
        self.target = triples
        self.seed = seed
        self.counts: dict[str, int] = {}
        self.examples: dict[str, str] = {}
        # The policy layer grows with the logarithm of the size, the world linearly.
        self.scale = 1 + max(0.0, math.log10(triples / 10_000))
        self.units = max(8, round(triples * self.WORLD_SHARE / self.UNIT_TRIPLES))
        w = writer
        self.china, self.us = w.iri(_T.China), w.iri(_T.UnitedStates)
        self.countries = [self.china, self.us]
        self.bodies = [w.iri(_T.USGovernment), w.iri(_T.CommerceDepartment)]
        self.instruments = [w.iri(_T.ExportControlLaw), w.iri(_T.EntityList)]
        self.lists = [w.iri(_T.EntityList)]
        self.criteria: list[str] = []
        self.platforms: list[_Entity] = []
        self.chips: list[_Entity] = []
        self.companies: list[_Company] = []
        self.media: list[_Entity] = []
        self.people: list[_Entity] = []
        self.groups: list[_Entity] = []
        # the source being cut into segments now
        self._source = ""
        self._source_zh = True
        self._sentences = 0
        self._offset = 0

    # -- helpers -------------------------------------------------------------------------------

    def _new(self, kind: str, name: Name) -> _Entity:
        number = self.counts[kind] = self.counts.get(kind, 0) + 1
        iri = f"{KGD}syn-{kind}-{number}"
        return _Entity(iri, self.w.node(iri), name)

    def _labels(self, name: Name) -> list[tuple[str, str]]:
        w = self.w
        return [(w.label, w.text(name[0], "en")), (w.label, w.text(name[1], "zh-Hant"))]

    def _segment(self, quote: Name) -> str:
        """A new sentence of the current source, quoting `quote` in the source's language
        (offsets as if the sentences were written one after another); the next source
        starts when this one is full."""
        w = self.w
        if not self._source or self._sentences >= self.SEGMENTS_PER_SOURCE:
            self._start_source()
        self._sentences += 1
        text = quote[1] if self._source_zh else quote[0]
        start, self._offset = self._offset, self._offset + len(text) + 1
        paragraph, sentence = divmod(self._sentences - 1, 3)
        place = (
            f"paragraph {paragraph + 1}, sentence {sentence + 1}",
            f"第{paragraph + 1}段第{sentence + 1}句",
        )
        segment = self._new("segment", place)
        w.block(
            segment.term,
            [
                (w.a, w.iri(_T.TextSegment)),
                *self._labels(place),
                (w.iri(_T.segmentOf), self._source),
                (w.iri(_T.paragraph), w.integer(paragraph + 1)),
                (w.iri(_T.exactQuote), w.text(text)),
                (w.iri(_T.startOffset), w.integer(start)),
                (w.iri(_T.endOffset), w.integer(start + len(text))),
            ],
        )
        return segment.term

    def _start_source(self) -> None:
        w, rng = self.w, self.rng
        number = self.counts.get("source", 0) + 1
        self._source_zh = rng.random() < 0.6
        self._sentences = self._offset = 0
        # The shipped author, publisher and platform stand in until generated ones exist.
        writer = rng.choice(self.people) if self.people else None
        writer_term = writer.term if writer else w.iri(KGD + "ArticleAuthor")
        by = writer.name if writer else ("an analyst", "一位分析人士")
        roll = rng.random()
        pairs: list[tuple[str, str]]
        if roll < 0.7:
            publisher = rng.choice(self.media) if self.media else None
            outlet = publisher.name if publisher else ("NetEase", "網易")
            language = ("Chinese", "中文") if self._source_zh else ("English", "英文")
            name = (
                f"{outlet[0]} {language[0]} report {number}",
                f"{outlet[1]}{language[1]}報道{number}",
            )
            publisher_term = publisher.term if publisher else w.iri(KGD + "NetEase")
            kind, pairs = _T.Article, [(w.iri(_T.publisher), publisher_term)]
        else:
            post = roll < 0.85
            name = (
                f"{'Post' if post else 'Statement'} by {by[0]} ({number})",
                f"{by[1]}的{'帖子' if post else '聲明'}({number})",
            )
            platform = self.platforms[-1].term if self.platforms else w.iri(KGD + "XPlatform")
            kind = _T.SocialMediaPost if post else _T.Statement
            pairs = [(w.iri(_T.medium), platform)]
        source = self._new("source", name)
        issued = w.datetime(_dated(rng))
        record = "synthetic record"
        w.block(
            source.term,
            [
                (w.a, w.iri(kind)),
                *self._labels(name),
                w.background(source.term, w.iri(_T.author), writer_term, record),
                *(w.background(source.term, p, o, record) for p, o in pairs),
                w.background(source.term, w.iri(_T.issuedDate), issued, record),
            ],
        )
        self._source = source.term

    # -- the policy layer: countries, government bodies, instruments, criteria, measures --------

    def policy(self) -> None:
        w, rng = self.w, self.rng
        for number in range(round(8 + 6 * self.scale)):
            base = _COUNTRIES[number % len(_COUNTRIES)]
            lap = number // len(_COUNTRIES)
            name = base if not lap else (f"{base[0]} region {lap}", f"{base[1]}地區{lap}")
            nation = self._new("country", name)
            w.block(nation.term, [(w.a, w.iri(_T.Country)), *self._labels(name)])
            self.countries.append(nation.term)

        for number in range(1, round(2 + 3 * self.scale) + 1):
            base = _BODIES[number % len(_BODIES)]
            name = (f"{base[0]} {number}", f"{base[1]}{number}")
            body = self._new("body", name)
            said = self._segment(
                (f"The {name[0]} is part of the US government.", f"{name[1]}隸屬美國政府。")
            )
            kind = _T.GovernmentDepartment if number % 2 else _T.ExecutiveOffice
            w.block(
                body.term,
                [
                    (w.a, w.iri(kind)),
                    *self._labels(name),
                    w.fact(body.term, w.iri(_T.subOrganizationOf), self.bodies[0], said),
                    (w.iri(_T.evidence), said),
                ],
            )
            self.bodies.append(body.term)

        for number in range(1, round(4 + 4 * self.scale) + 1):
            kind, base = _INSTRUMENTS[number % len(_INSTRUMENTS)]
            if number % 4 == 0:
                kind, base = _T.SanctionsList, ("Restricted Parties List", "受限方清單")
            name = (f"{base[0]} {number}", f"{base[1]}{number}")
            instrument = self._new("instrument", name)
            said = self._segment(
                (f"The {name[0]} applies in the United States.", f"{name[1]}在美國適用。")
            )
            issued = w.datetime(_dated(rng))
            issuer = rng.choice(self.bodies)
            w.block(
                instrument.term,
                [
                    (w.a, w.iri(kind)),
                    *self._labels(name),
                    w.fact(instrument.term, w.iri(_T.issuedBy), issuer, said),
                    w.fact(instrument.term, w.iri(_T.appliesIn), self.us, said),
                    w.fact(instrument.term, w.iri(_T.issuedUnder), self.instruments[0], said),
                    w.background(instrument.term, w.iri(_T.issuedDate), issued, "synthetic record"),
                    (w.iri(_T.evidence), said),
                ],
            )
            self.instruments.append(instrument.term)
            if kind == _T.SanctionsList:
                self.lists.append(instrument.term)

        # The shipped criteria, and criteria of the same kinds for other countries and lists.
        self.criteria = [
            w.iri(iri)
            for iri in (
                _T.crit_develops_ai_model,
                _T.crit_operates_app_serving_us,
                _T.crit_publishes_on_us_platform,
                _T.crit_listed_on_entity_list,
                _T.crit_accused,
            )
        ]
        for number, country in enumerate(self.countries[2 : 2 + round(2 * self.scale)]):
            where = _COUNTRIES[number % len(_COUNTRIES)]
            name = (f"based in {where[0]}", f"位於{where[1]}")
            self.criteria.append(self._criterion(name, _T.locatedIn, value=country))
        for number, listing in enumerate(self.lists[1:], 1):
            name = (f"on restricted parties list {number}", f"列入受限方清單{number}")
            self.criteria.append(self._criterion(name, _T.listedOn, value=listing))
        for name, prop, cls in (
            (("develops GPUs", "開發GPU"), _T.develops, _T.GPU),
            (("uses GPUs", "使用GPU"), _T.uses, _T.GPU),
        ):
            self.criteria.append(self._criterion(name, prop, cls=cls))
        name = ("operates an app serving users in China", "運營服務中國用戶的應用")
        self.criteria.append(self._criterion(name, _T.servesUsersIn, _T.operates, self.china))

        # Measures: most aimed at China, with one or two further criteria.
        china = w.iri(_T.crit_based_in_china)
        for number in range(1, round(8 + 10 * self.scale) + 1):
            if rng.random() < 0.75:
                chosen = [china, *rng.sample(self.criteria, rng.choice((0, 1, 1, 2)))]
            else:
                chosen = rng.sample(self.criteria, 1)
            self._measure(number, chosen)

    def _criterion(
        self, name: Name, prop: str, via: str = "", value: str = "", cls: str = ""
    ) -> str:
        w = self.w
        criterion = self._new("criterion", name)
        pairs = [
            (w.a, w.iri(_T.ScopeCriterion)),
            *self._labels(name),
            (w.iri(_T.criterionProperty), w.iri(prop)),
        ]
        if via:
            pairs.append((w.iri(_T.criterionVia), w.iri(via)))
        pairs.append(
            (w.iri(_T.criterionValue), value) if value else (w.iri(_T.criterionClass), w.iri(cls))
        )
        w.block(criterion.term, pairs)
        return criterion.term

    def _measure(self, number: int, criteria: list[str]) -> None:
        w, rng = self.w, self.rng
        name = (f"Synthetic measure {number}", f"合成措施{number}")
        measure = self._new("measure", name)
        said = self._segment(
            (
                f"The government may take measure {number} against such companies.",
                f"政府可能對這類企業採取第{number}項措施。",
            )
        )
        status, body = w.iri(rng.choice(_T.MEASURE_STATUSES)), rng.choice(self.bodies)
        pairs = [
            (w.a, w.iri(_T.PolicyMeasure)),
            *self._labels(name),
            w.fact(measure.term, w.iri(_T.measureStatus), status, said),
            w.fact(measure.term, w.iri(_T.legalBasis), rng.choice(self.instruments), said),
            w.fact(measure.term, w.iri(_T.actingBody), body, said),
            w.fact(measure.term, w.iri(_T.mechanism), w.iri(rng.choice(_T.MECHANISMS)), said),
            *(w.fact(measure.term, w.iri(_T.scopeCriterion), c, said) for c in criteria),
            w.fact(measure.term, w.iri(_T.topic), w.iri(rng.choice(_T.TOPICS)), said),
            (w.iri(_T.evidence), said),
        ]
        if rng.random() < 0.2:
            pairs.append(w.fact(measure.term, w.iri(_T.limitedBy), w.iri(_T.FirstAmendment), said))
        if rng.random() < 0.3:
            day = w.datetime(_dated(rng))
            pairs.append(w.fact(measure.term, w.iri(_T.effectiveDate), day, said))
        w.block(measure.term, pairs)

    # -- the world: platforms, chips, companies, people, roles, artefacts, groups, events ------

    def world(self) -> None:
        w, rng = self.w, self.rng
        for number in range(1, max(3, self.units // 40) + 1):
            kind, base = _PLATFORMS[number % len(_PLATFORMS)]
            name = (f"{base[0]} {number}", f"{base[1]}{number}")
            platform = self._new("platform", name)
            law = self.china if number % 4 == 0 else self.us
            said = self._segment(
                (
                    f"{name[0]} is run under the law of its country.",
                    f"{name[1]}受其所在國法律管轄。",
                )
            )
            w.block(
                platform.term,
                [
                    (w.a, w.iri(kind)),
                    *self._labels(name),
                    w.fact(platform.term, w.iri(_T.subjectToJurisdiction), law, said),
                    (w.iri(_T.evidence), said),
                ],
            )
            self.platforms.append(platform)
        for number in range(1, max(2, self.units // 60) + 1):
            group = _GROUPS[number % len(_GROUPS)]
            where = ("US", "美國") if number % 2 else ("Chinese", "中國")
            name = (f"{where[0]} {group[0]} ({number})", f"{where[1]}{group[1]}({number})")
            entity = self._new("group", name)
            w.block(entity.term, [(w.a, w.iri(_T.Group)), *self._labels(name)])
            self.groups.append(entity)
        for number in range(1, self.units + 1):
            company = self._company(number, media=number % 25 == 1)
            self.companies.append(company)
            for _ in range(1 if rng.random() < 0.7 else 2):
                self.people.append(self._person(company))
            if rng.random() < 0.3:
                self._event()

    def _company(self, number: int, *, media: bool) -> _Company:
        w, rng = self.w, self.rng
        roll = rng.random()
        if roll < 0.45:
            country, firms, where = self.china, _CN_FIRM, ("China", "中國")
        elif roll < 0.8:
            country, firms, where = self.us, _US_FIRM, ("the United States", "美國")
        else:
            country, firms, where = rng.choice(self.countries[2:]), _US_FIRM, ("abroad", "海外")
        base, kind = rng.choice(firms), rng.choice(_FIRM_KIND)
        name = (f"{base[0]} {kind[0]} {number}", f"{base[1]}{kind[1]}{number}")
        entity = self._new("company", name)
        company = _Company(entity, country)
        said = self._segment(
            (
                f"{name[0]}, a company based in {where[0]}, keeps growing.",
                f"{name[1]}是一家總部在{where[1]}的公司,發展迅速。",
            )
        )
        cls = _T.MediaOrganization if media else _T.InvestmentFirm if roll > 0.97 else _T.Company
        pairs = [
            (w.a, w.iri(cls)),
            *self._labels(name),
            w.fact(entity.term, w.iri(_T.headquarteredIn), country, said),
        ]
        if media:
            self.media.append(entity)
        elif rng.random() < 0.65:
            for model_number in range(1, (2 if rng.random() < 0.7 else 3)):
                model = self._model(company, model_number, said)
                pairs.append(w.fact(entity.term, w.iri(_T.develops), model.term, said))
            if rng.random() < 0.45:
                app = self._app(company, said)
                pairs.append(w.fact(entity.term, w.iri(_T.operates), app.term, said))
            if rng.random() < 0.5:
                platform = rng.choice(self.platforms).term
                pairs.append(w.fact(entity.term, w.iri(_T.publishesOn), platform, said))
        elif len(self.chips) < 2 or rng.random() < 0.15:
            chip = self._chip(company, said)
            pairs.append(w.fact(entity.term, w.iri(_T.develops), chip.term, said))
        if self.chips and rng.random() < 0.25:
            pairs.append(w.fact(entity.term, w.iri(_T.uses), rng.choice(self.chips).term, said))
        if country == self.china and rng.random() < 0.15:
            pairs.append(w.fact(entity.term, w.iri(_T.listedOn), rng.choice(self.lists), said))
        if rng.random() < 0.5:
            size = rng.choice((10, 50, 100, 500, 1000, 5000))
            pairs.append((w.iri(_T.employeeCountMin), w.integer(size)))
        pairs.append((w.iri(_T.evidence), said))
        w.block(entity.term, pairs)
        return company

    def _model(self, company: _Company, number: int, said: str) -> _Entity:
        w, rng = self.w, self.rng
        owner = company.entity.name
        name = (f"{owner[0]} model {number}", f"{owner[1]}模型{number}")
        model = self._new("model", name)
        open_source = rng.random() < 0.5
        pairs = [
            (w.a, w.iri(_T.OpenSourceModel if open_source else _T.AIModel)),
            *self._labels(name),
            (w.iri(_T.evidence), said),
        ]
        if open_source:
            pairs.append((w.iri(_T.openSource), w.true()))
        if self.chips and rng.random() < 0.3:
            pairs.append(
                w.fact(model.term, w.iri(_T.trainedWith), rng.choice(self.chips).term, said)
            )
        w.block(model.term, pairs)
        company.models.append(model)
        return model

    def _app(self, company: _Company, said: str) -> _Entity:
        w, rng = self.w, self.rng
        owner = company.entity.name
        name = (f"{owner[0]} app", f"{owner[1]}應用")
        app = self._new("app", name)
        serves = self.us if rng.random() < 0.6 else self.china
        pairs = [
            (w.a, w.iri(_T.Application)),
            *self._labels(name),
            w.fact(app.term, w.iri(_T.servesUsersIn), serves, said),
            (w.iri(_T.evidence), said),
        ]
        stores = self.platforms[1::3]
        if stores and rng.random() < 0.6:
            pairs.append(w.fact(app.term, w.iri(_T.availableOn), rng.choice(stores).term, said))
        w.block(app.term, pairs)
        company.apps.append(app)
        return app

    def _chip(self, company: _Company, said: str) -> _Entity:
        w, rng = self.w, self.rng
        number = self.counts.get("chip", 0) + 1
        maker = company.entity.name
        name = (f"{maker[0].split()[0]} X{number}", f"{maker[1][:2]} X{number}")
        chip = self._new("chip", name)
        status = _T.Controlled if rng.random() < 0.6 else _T.NotControlled
        w.block(
            chip.term,
            [
                (w.a, w.iri(_T.GPU if rng.random() < 0.8 else _T.Chip)),
                *self._labels(name),
                w.fact(chip.term, w.iri(_T.exportControlStatus), w.iri(status), said),
                (w.iri(_T.evidence), said),
            ],
        )
        self.chips.append(chip)
        return chip

    def _person(self, company: _Company) -> _Entity:
        w, rng = self.w, self.rng
        if company.country == self.china or rng.random() < 0.2:
            family, given = rng.choice(_CN_SURNAMES), rng.choice(_CN_GIVEN)
            name = (f"{family[0]} {given[0]}", f"{family[1]}{given[1]}")
        else:
            given, family = rng.choice(_US_GIVEN), rng.choice(_US_SURNAMES)
            name = (f"{given[0]} {family[0]}", f"{given[1]}·{family[1]}")
        person = self._new("person", name)
        employer = company.entity
        said = self._segment(
            (f"{name[0]} works at {employer.name[0]}.", f"{name[1]}在{employer.name[1]}任職。")
        )
        roles = [self._role(person, employer, said, current=True)]
        if len(self.companies) > 1 and rng.random() < 0.3:
            earlier = rng.choice(self.companies[:-1]).entity
            roles.append(self._role(person, earlier, said, current=False))
        pairs = [
            (w.a, w.iri(_T.Person)),
            *self._labels(name),
            *(w.fact(person.term, w.iri(_T.holdsRole), role, said) for role in roles),
        ]
        if rng.random() < 0.25:
            pairs.append(w.fact(person.term, w.iri(_T.leads), employer.term, said))
        if rng.random() < 0.1:
            invested = rng.choice(self.companies).entity.term
            pairs.append(w.fact(person.term, w.iri(_T.investorIn), invested, said))
        if rng.random() < 0.2:
            social = self.platforms[len(self.platforms) // 2].term
            pairs.append(w.fact(person.term, w.iri(_T.publishesOn), social, said))
        pairs.append((w.iri(_T.evidence), said))
        w.block(person.term, pairs)
        self.examples.setdefault("person", person.iri)
        return person

    def _role(self, person: _Entity, org: _Entity, said: str, *, current: bool) -> str:
        w, rng = self.w, self.rng
        title = rng.choice(_ROLE_TITLES)
        name = (
            f"{person.name[0]}, {title[0]} of {org.name[0]}",
            f"{person.name[1]},{org.name[1]}{title[1]}",
        )
        role = self._new("role", name)
        status = w.iri(_T.CurrentRole if current else _T.FormerRole)
        w.block(
            role.term,
            [
                (w.a, w.iri(_T.Role)),
                *self._labels(name),
                (w.iri(_T.roleTitle), w.text(title[0], "en")),
                (w.iri(_T.roleTitle), w.text(title[1], "zh-Hant")),
                w.fact(role.term, w.iri(_T.roleHolder), person.term, said),
                w.fact(role.term, w.iri(_T.roleIn), org.term, said),
                w.fact(role.term, w.iri(_T.roleStatus), status, said),
                (w.iri(_T.evidence), said),
            ],
        )
        return role.term

    def _event(self) -> None:
        w, rng = self.w, self.rng
        company = rng.choice(self.companies).entity
        number = self.counts.get("event", 0) + 1
        name = (
            f"{company.name[0]} in the news ({number})",
            f"{company.name[1]}引發關注({number})",
        )
        event = self._new("event", name)
        said = self._segment(
            (f"{company.name[0]} drew attention again.", f"{company.name[1]}再次引發關注。")
        )
        w.block(
            event.term,
            [
                (w.a, w.iri(_T.Event)),
                *self._labels(name),
                w.fact(event.term, w.iri(_T.involves), company.term, said),
                w.fact(event.term, w.iri(_T.actor), rng.choice(self.bodies), said),
                w.fact(event.term, w.iri(_T.date), w.datetime(_dated(rng)), said),
                (w.iri(_T.evidence), said),
            ],
        )

    # -- claims: who says what about whom, until the requested size is reached ----------------

    def claims(self) -> None:
        rng = self.rng
        agents = [c.entity for c in self.companies] + self.people + self.groups
        rng.shuffle(agents)
        # Companies outside the US draw most attention; ranks are shuffled within each half.
        foreign = [c for c in self.companies if c.country != self.us]
        domestic = [c for c in self.companies if c.country == self.us]
        rng.shuffle(foreign)
        rng.shuffle(domestic)
        subjects = foreign + domestic
        self.examples["claimant"] = agents[0].iri
        self.examples["hub"] = subjects[0].entity.iri
        # The example: a Chinese AI company with an app, at the 10th percentile of attention
        # among them, so it is neither the hub nor forgotten at any size.
        typical = [c for c in subjects if c.country == self.china and c.models and c.apps]
        self.examples["company"] = typical[len(typical) // 10].entity.iri
        claimant = _Zipf(len(agents), self.ZIPF_CLAIMANTS, rng)
        subject = _Zipf(len(subjects), self.ZIPF_SUBJECTS, rng)
        latest: dict[str, str] = {}
        while self.w.count < self.target:
            self._claim(agents[claimant.draw()], subjects[subject.draw()], latest)

    def _claim(self, claimant: _Entity, about: _Company, latest: dict[str, str]) -> None:
        rng = self.rng
        s = about.entity.name
        roll = rng.random()
        chip = rng.choice(self.chips) if self.chips and roll < 0.2 else None
        if chip is not None:
            kind, topic = _T.Accusation, _T.ExportControlViolation
            text = (
                f"{s[0]} obtained {chip.name[0]} chips in breach of US export controls.",
                f"{s[1]}違反美國出口管制獲得了{chip.name[1]}芯片。",
            )
        elif roll < 0.45:
            kind, topic = _T.Opinion, _T.AICompetition
            text = (
                f"The rise of {s[0]} changes the AI competition between the US and China.",
                f"{s[1]}的崛起改變了中美人工智能競爭格局。",
            )
        elif roll < 0.65 and about.models:
            other = rng.choice(self.companies).entity.name
            kind, topic = _T.Assertion, _T.ModelDerivation
            text = (
                f"{about.models[0].name[0]} was built on a model by {other[0]}.",
                f"{about.models[0].name[1]}是在{other[1]}的模型基礎上開發的。",
            )
        elif roll < 0.85:
            kind, topic = _T.Prediction, _T.ChipExportPolicy
            text = (
                f"The US government will put {s[0]} on a restricted list.",
                f"美國政府將把{s[1]}列入限制清單。",
            )
        else:
            kind, topic = _T.Recommendation, _T.AppRegulation
            text = (
                f"The United States should restrict the services of {s[0]}.",
                f"美國應限制{s[1]}的服務。",
            )
        denied = chip is not None and rng.random() < 0.5
        disputed = not denied and rng.random() < 0.1
        status = [_T.NoEvidenceOffered] if chip is not None else [_T.Unverified]
        if denied:
            status.append(_T.DeniedBySubject)
        elif disputed:
            status = [_T.Contested]
        claim = self._write_claim(claimant, kind, topic, status, text, about, latest, asserts=chip)
        if denied and chip is not None:
            denial = (
                f"{s[0]} denies that it obtained {chip.name[0]} chips illegally.",
                f"{s[1]}否認非法獲得{chip.name[1]}芯片。",
            )
            self._write_claim(
                about.entity,
                _T.Denial,
                topic,
                [_T.Unverified],
                denial,
                about,
                latest,
                disputes=claim,
            )
        elif disputed:
            critic = rng.choice(self.people)
            rebuttal = (
                f"{critic.name[0]} disagrees: {text[0]}",
                f"{critic.name[1]}不同意:{text[1]}",
            )
            self._write_claim(
                critic, _T.Opinion, topic, [_T.Unverified], rebuttal, about, latest, disputes=claim
            )

    def _write_claim(
        self,
        claimant: _Entity,
        kind: str,
        topic: str,
        status: list[str],
        text: Name,
        about: _Company,
        latest: dict[str, str],
        *,
        asserts: _Entity | None = None,
        disputes: str = "",
    ) -> str:
        w, rng = self.w, self.rng
        said = self._segment(text)
        short = text[0] if len(text[0]) <= 60 else text[0][:57] + "..."
        name = (f"{claimant.name[0]}: {short}", f"{claimant.name[1]}:{text[1]}")
        claim = self._new("claim", name)
        subject = about.entity
        pairs = [
            (w.a, w.iri(_T.Claim)),
            *self._labels(name),
            (w.iri(_T.statement), w.text(text[1], "zh-Hant")),
            (w.iri(_T.statement), w.text(text[0], "en")),
            (w.iri(_T.claimant), claimant.term),
            (w.iri(_T.claimKind), w.iri(kind)),
            *((w.iri(_T.evidenceStatus), w.iri(s)) for s in status),
            (w.iri(_T.about), subject.term),
            w.fact(claim.term, w.iri(_T.topic), w.iri(topic), said),
        ]
        if asserts is not None:
            pairs += [
                (w.iri(_T.about), asserts.term),
                (w.iri(_T.assertsSubject), subject.term),
                (w.iri(_T.assertsRelation), w.iri(_T.uses)),
                (w.iri(_T.assertsObject), asserts.term),
            ]
        if disputes:
            pairs.append((w.iri(_T.disputes), disputes))
        elif subject.iri in latest and rng.random() < 0.1:
            pairs.append((w.iri(_T.supports), latest[subject.iri]))
        if rng.random() < 0.4:
            pairs.append(w.fact(claim.term, w.iri(_T.date), w.datetime(_dated(rng)), said))
        pairs.append((w.iri(_T.statedIn), said))
        w.block(claim.term, pairs)
        latest[subject.iri] = claim.term
        return claim.term

    def header(self) -> None:
        w = self.w
        w.block(
            w.node(f"https://w3id.org/kgtool/data/synthetic-{self.target}-{self.seed}"),
            [
                (w.a, w.iri(OWL.Ontology)),
                (w.iri(OWL.imports), w.iri("https://w3id.org/kgtool/vocab")),
                (
                    w.iri("http://purl.org/dc/terms/title"),
                    w.text(f"kgtool synthetic data: {self.target} triples, seed {self.seed}", "en"),
                ),
            ],
        )


def generate(
    path: str | Path, triples: int = 100_000, seed: int = 0, *, format: str | None = None
) -> Summary:
    """Write a synthetic graph of about `triples` triples to `path`, and say what it holds.

    The format follows the suffix (`.ttl` Turtle, anything else N-Triples) unless `format`
    says `nt` or `turtle`. The same `triples` and `seed` give the same file, byte for byte;
    the count is met to within one claim's triples. Load it beside the shipped graph:
    `KnowledgeGraph.load(extra=[path])`.
    """
    path = Path(path)
    if not MIN_TRIPLES <= triples <= MAX_TRIPLES:
        raise ValueError(f"triples must be from {MIN_TRIPLES} to {MAX_TRIPLES}, not {triples}")
    chosen = format or ("turtle" if path.suffix == ".ttl" else "nt")
    if chosen not in ("nt", "turtle"):
        raise ValueError(f"format must be nt or turtle, not {chosen!r}")
    try:
        with path.open("w", encoding="utf-8", newline="\n", buffering=1 << 20) as out:
            writer = _Writer(out, turtle=chosen == "turtle")
            generator = _Generator(writer, triples, seed)
            generator.header()
            generator.policy()
            generator.world()
            generator.claims()
    except OSError as error:
        from kgtool.output import failure

        raise failure(path, error) from None
    return Summary(path, writer.count, triples, seed, dict(generator.counts), generator.examples)
