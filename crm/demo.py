"""A deterministic, realistic demo database (`crm demo [--seed N]`), up to the day it is built.

About 64 organizations of every kind, 8 liaison staff, contacts, 400 meetings (意見交換),
20 agreements (データ連携協定) in every status, 150 outreach events (周知広報・出前講座) and
measurements for every measured KPI of the shipped plan, spread over FY2018–FY2024 and drawn
from one `random.Random(seed)`. From April 2025 on, meetings, events and a few agreements go on
month by month up to `today` (each month drawn from its own generator, seeded by the seed and
the month, so a month's records do not depend on the day the demo is built). Everything is
written through `crm.records.services`: the same seed and day give the same rows.

Records after 2021-03-31 carry tags (スマートシティ, 防災, オープンデータ, デジタル活用支援) by
what their titles name, and a second, fictional plan (`smartcity-2021`, スマートシティ構想（例）,
FY2021–FY2026) counts them, so the dashboard opened today shows live figures.

The records dated on or before the KPI baseline date (2018-12-31) match the policy's baseline
figures (3 companies, 4 in-city events, 1 lecture, 3 out-of-city events, 3 external
agreements), so the engine's reconciliation agrees with the baselines; the smart-city plan's
baselines are 0, as nothing is tagged on or before its baseline date.
"""

from __future__ import annotations

import random
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from sqlalchemy import func, select
from sqlmodel import Session, col

from crm.calendar import fiscal_year_of, fiscal_year_range
from crm.context import Context
from crm.errors import DataError
from crm.kpi import plans
from crm.kpi.plan_file import parse_plan
from crm.models import Contact, Kpi, Meeting, Organization, OutreachEvent, Plan, Staff, Tag
from crm.normalize import corporate_number_check_digit, normalize_name, to_hiragana
from crm.records import services

#: The demo's history covers FY2018 (平成30年度) to FY2024 (令和6年度); recent records follow
#: from the day after LAST_DAY to the day the demo is built.
FIRST_DAY = date(2018, 4, 1)
LAST_DAY = date(2025, 3, 31)
#: Tags are given to records dated after this day (the smart-city plan's baseline date).
TAGGED_AFTER = date(2021, 3, 31)
#: The policy's baseline date (H30.12月): records up to it are covered by the baselines.
BASELINE_DAY = date(2018, 12, 31)
FISCAL_YEARS = tuple(range(2018, 2025))


def demo_clock(today: date) -> datetime:
    """The clock the CLI gives the demo's Context: every created_at is 09:00 UTC on `today`."""
    return datetime.combine(today, time(9, 0), tzinfo=UTC)


@dataclass(frozen=True)
class DemoSummary:
    """How many rows the demo generator wrote, per table (archived ones included)."""

    organizations: int
    contacts: int
    staff: int
    meetings: int
    meeting_organizations: int
    agreements: int
    agreement_partners: int
    outreach_events: int
    kpi_measurements: int
    archived_meetings: int
    archived_events: int
    plans: int
    tags: int

    def items(self) -> list[tuple[str, int]]:
        """(name, count) pairs in declaration order, for printing."""
        return list(zip((f.name for f in fields(self)), astuple(self), strict=True))


# --- word lists -----------------------------------------------------------------------------

# (kanji, katakana reading, romaji for fictional web and mail domains)
_PLACES: tuple[tuple[str, str, str], ...] = (
    ("播磨", "ハリマ", "harima"),
    ("加古川", "カコガワ", "kakogawa"),
    ("東播磨", "ヒガシハリマ", "higashiharima"),
    ("東播", "トウバン", "toban"),
    ("明石", "アカシ", "akashi"),
    ("ひょうご", "ヒョウゴ", "hyogo"),
    ("神戸", "コウベ", "kobe"),
    ("姫路", "ヒメジ", "himeji"),
    ("高砂", "タカサゴ", "takasago"),
    ("日岡", "ヒオカ", "hioka"),
    ("尾上", "オノウエ", "onoe"),
    ("加古", "カコ", "kako"),
    ("西播", "セイバン", "seiban"),
    ("関西", "カンサイ", "kansai"),
    ("瀬戸内", "セトウチ", "setouchi"),
    ("稲美", "イナミ", "inami"),
    ("志方", "シカタ", "shikata"),
    ("別府", "ベフ", "befu"),
    ("六甲", "ロッコウ", "rokko"),
    ("ときわ", "トキワ", "tokiwa"),
    ("あおば", "アオバ", "aoba"),
    ("みなと", "ミナト", "minato"),
)
_BUSINESSES: tuple[tuple[str, str, str], ...] = (
    ("データサービス", "データサービス", "data"),
    ("精工", "セイコウ", "seiko"),
    ("ソフト", "ソフト", "soft"),
    ("ネットワーク", "ネットワーク", "net"),
    ("システム", "システム", "system"),
    ("情報技術", "ジョウホウギジュツ", "it"),
    ("テクノロジーズ", "テクノロジーズ", "tech"),
    ("電機", "デンキ", "denki"),
    ("通信", "ツウシン", "tsushin"),
    ("モビリティ", "モビリティ", "mobility"),
    ("交通", "コウツウ", "kotsu"),
    ("建設", "ケンセツ", "kensetsu"),
    ("エナジー", "エナジー", "energy"),
    ("コンサルティング", "コンサルティング", "consulting"),
    ("デザイン", "デザイン", "design"),
    ("ソリューションズ", "ソリューションズ", "solutions"),
    ("印刷", "インサツ", "print"),
    ("メディア", "メディア", "media"),
    ("測量設計", "ソクリョウセッケイ", "survey"),
    ("ロジスティクス", "ロジスティクス", "logistics"),
    ("ヘルスケア", "ヘルスケア", "healthcare"),
    ("アグリテック", "アグリテック", "agritech"),
    ("ケーブルテレビ", "ケーブルテレビ", "catv"),
    ("防災システム", "ボウサイシステム", "bousai"),
    ("電子", "デンシ", "denshi"),
    ("計測", "ケイソク", "keisoku"),
    ("ドローンサービス", "ドローンサービス", "drone"),
    ("ITラボ", "アイティーラボ", "itlab"),
)
_KAKOGAWA_TOWNS = (
    "加古川町寺家町", "加古川町篠原町", "加古川町北在家", "加古川町粟津", "野口町良野",
    "野口町水足", "平岡町新在家", "平岡町二俣", "尾上町今福", "尾上町長田", "別府町新野辺",
    "別府町別府", "米田町船頭", "神野町西条", "東神吉町天下原", "西神吉町岸", "志方町志方町",
    "八幡町上西条", "上荘町国包", "平荘町山角",
)
_OTHER_TOWNS = (
    "兵庫県明石市大久保町", "兵庫県明石市本町", "兵庫県高砂市高砂町", "兵庫県高砂市荒井町",
    "兵庫県姫路市飾磨区", "兵庫県姫路市駅前町", "兵庫県神戸市中央区東町", "兵庫県神戸市西区高塚台",
    "兵庫県加古郡稲美町国岡", "兵庫県加古郡播磨町北本荘",
)
_FAR_TOWNS = ("大阪府大阪市北区梅田", "大阪府大阪市中央区本町", "東京都千代田区丸の内",
              "東京都港区芝浦", "京都府京都市下京区東塩小路町")
_BUILDINGS = ("ビル", "センタービル", "第一ビル", "駅前ビル")
_COMPANY_NOTES = (
    "地元のICT企業。見守りカメラの保守を受託している。",
    "市内に開発拠点あり。実証事業への参加に意欲的。",
    "加古川商工会議所の紹介。",
    "兵庫県のスマートシティ関連補助事業に参加。",
    "自治体向けクラウドサービスの導入実績が多い。",
    "市内の中小企業。DX支援の相談窓口になっている。",
    "他市での実証実績あり。担当者の異動に注意。",
)

# (name, kana, kind, slug for mail domains, address, website, notes, has a corporate number:
# only the fictional corporations get a generated one)
_Fixed = tuple[str, str, str, str, str, str | None, str | None, bool]
_NON_COMPANIES: tuple[_Fixed, ...] = (
    ("兵庫県立大学", "ひょうごけんりつだいがく", "university", "u-hyogo",
     "兵庫県神戸市西区学園西町", "https://www.u-hyogo.ac.jp/",
     "社会情報科学部とデータ分析で連携。", False),
    ("神戸大学", "こうべだいがく", "university", "kobe-u", "兵庫県神戸市灘区六甲台町",
     "https://www.kobe-u.ac.jp/", None, False),
    ("関西学院大学", "かんせいがくいんだいがく", "university", "kwansei",
     "兵庫県西宮市上ケ原一番町", "https://www.kwansei.ac.jp/", None, False),
    ("明石工業高等専門学校", "あかしこうぎょうこうとうせんもんがっこう", "university", "akashi-ct",
     "兵庫県明石市魚住町西岡", None, "学生のアプリ開発コンテストで協力。", False),
    ("理化学研究所 計算科学研究センター",
     "りかがくけんきゅうしょ けいさんかがくけんきゅうせんたー", "research_institute", "r-ccs",
     "兵庫県神戸市中央区港島南町", None, None, False),
    ("産業技術総合研究所 関西センター", "さんぎょうぎじゅつそうごうけんきゅうしょ かんさいせんたー",
     "research_institute", "aist-kansai", "大阪府池田市緑丘", None, None, False),
    ("情報通信研究機構 未来ICT研究所",
     "じょうほうつうしんけんきゅうきこう みらいあいしーてぃーけんきゅうじょ",
     "research_institute", "nict-kobe", "兵庫県神戸市西区岩岡町", None, None, False),
    ("兵庫県 東播磨県民局", "ひょうごけん ひがしはりまけんみんきょく", "government_agency",
     "higashiharima", "兵庫県加古川市加古川町寺家町", None, "県のスマート県政の窓口。", False),
    ("総務省 近畿総合通信局", "そうむしょう きんきそうごうつうしんきょく", "government_agency",
     "kinki-bureau", "大阪府大阪市中央区大手前", None, None, False),
    ("国土交通省 姫路河川国道事務所", "こくどこうつうしょう ひめじかせんこくどうじむしょ",
     "government_agency", "himeji-river", "兵庫県姫路市北今宿", None,
     "加古川の水位データの提供元。", False),
    ("兵庫県警察 加古川警察署", "ひょうごけんけいさつ かこがわけいさつしょ", "government_agency",
     "kakogawa-police", "兵庫県加古川市", None, None, False),
    ("高砂市", "たかさごし", "municipality", "takasago", "兵庫県高砂市",
     "https://www.city.takasago.lg.jp/", None, False),
    ("明石市", "あかしし", "municipality", "akashi", "兵庫県明石市",
     "https://www.city.akashi.lg.jp/", None, False),
    ("稲美町", "いなみちょう", "municipality", "inami", "兵庫県加古郡稲美町", None, None, False),
    ("播磨町", "はりまちょう", "municipality", "harima-town", "兵庫県加古郡播磨町", None, None,
     False),
    ("NPO法人かこがわICT支援ネット", "カコガワアイシーティーシエンネット", "npo", "ict-net",
     "兵庫県加古川市加古川町篠原町", None, "シニア向けスマホ教室を運営。", True),
    ("特定非営利活動法人はりま防災ネットワーク", "ハリマボウサイネットワーク", "npo", "bousai-net",
     "兵庫県加古川市野口町良野", None, None, True),
    ("加古川商工会議所", "かこがわしょうこうかいぎしょ", "other", "kakogawa-cci",
     "兵庫県加古川市", None, "市内企業の紹介をお願いしている。", False),
    ("一般社団法人はりまスマートシティ推進協議会", "ハリマスマートシティスイシンキョウギカイ",
     "other", "harima-sc", "兵庫県加古川市加古川町寺家町", None, None, True),
    ("かこがわ子育て応援団", "かこがわこそだておうえんだん", "other", "kosodate",
     "兵庫県加古川市", None, "任意団体。", False),
)
COMPANY_COUNT = 44

# Liaison staff: (name, kana, section, first fiscal year, last fiscal year or None)
_STAFF: tuple[tuple[str, str, str, int, int | None], ...] = (
    ("山本 健一", "やまもと けんいち", "企画部 情報政策課", 2018, None),
    ("田中 美咲", "たなか みさき", "企画部 情報政策課", 2018, 2020),
    ("中村 大輔", "なかむら だいすけ", "企画部 情報政策課 スマートシティ推進係", 2018, None),
    ("藤原 誠", "ふじわら まこと", "企画部 情報政策課", 2018, 2021),
    ("小林 由紀", "こばやし ゆき", "企画部 情報政策課 スマートシティ推進係", 2019, None),
    ("森 あゆみ", "もり あゆみ", "企画部 情報政策課 データ利活用係", 2020, None),
    ("井上 彩", "いのうえ あや", "企画部 情報政策課 データ利活用係", 2021, None),
    ("松本 拓也", "まつもと たくや", "企画部 DX推進室", 2022, None),
)

_SURNAMES = (
    ("佐藤", "サトウ", "sato"), ("鈴木", "スズキ", "suzuki"), ("高橋", "タカハシ", "takahashi"),
    ("伊藤", "イトウ", "ito"), ("渡辺", "ワタナベ", "watanabe"), ("加藤", "カトウ", "kato"),
    ("吉田", "ヨシダ", "yoshida"), ("山田", "ヤマダ", "yamada"), ("佐々木", "ササキ", "sasaki"),
    ("山口", "ヤマグチ", "yamaguchi"), ("松井", "マツイ", "matsui"), ("岡田", "オカダ", "okada"),
    ("前田", "マエダ", "maeda"), ("長谷川", "ハセガワ", "hasegawa"), ("石井", "イシイ", "ishii"),
    ("村上", "ムラカミ", "murakami"), ("西田", "ニシダ", "nishida"), ("大西", "オオニシ", "onishi"),
    ("橋本", "ハシモト", "hashimoto"), ("清水", "シミズ", "shimizu"), ("三木", "ミキ", "miki"),
    ("坂本", "サカモト", "sakamoto"), ("谷口", "タニグチ", "taniguchi"),
    ("藤井", "フジイ", "fujii"),
)
_GIVEN_NAMES = (
    ("翔太", "ショウタ", "shota"), ("大輝", "ダイキ", "daiki"), ("直樹", "ナオキ", "naoki"),
    ("浩二", "コウジ", "koji"), ("隆", "タカシ", "takashi"), ("健太", "ケンタ", "kenta"),
    ("亮", "リョウ", "ryo"), ("和也", "カズヤ", "kazuya"), ("智子", "トモコ", "tomoko"),
    ("陽子", "ヨウコ", "yoko"), ("真由美", "マユミ", "mayumi"), ("恵", "メグミ", "megumi"),
    ("千尋", "チヒロ", "chihiro"), ("沙織", "サオリ", "saori"), ("裕子", "ユウコ", "yuko"),
    ("奈々", "ナナ", "nana"), ("拓海", "タクミ", "takumi"), ("正人", "マサト", "masato"),
)
# kind -> (departments, titles)
_ROLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "company": (("営業部", "公共営業部", "ソリューション事業部", "DX推進室", "技術開発部",
                 "経営企画室"), ("部長", "課長", "係長", "主任", "担当", "代表取締役")),
    "university": (("産学連携推進機構", "地域連携センター", "工学研究科", "社会情報科学部"),
                   ("教授", "准教授", "講師", "主査")),
    "research_institute": (("研究推進部", "連携推進室", "データ解析チーム"),
                           ("チームリーダー", "主任研究員", "研究員")),
    "government_agency": (("企画調整室", "情報通信部", "地域振興室", "管理課"),
                          ("課長補佐", "係長", "主査")),
    "municipality": (("企画政策課", "情報政策課", "DX推進課"), ("課長", "係長", "主任")),
    "npo": (("事務局",), ("理事長", "事務局長", "理事")),
    "other": (("事務局", "企画部"), ("事務局長", "課長", "担当")),
}

# Meeting topics: (topic, the city's issue it addresses)
_TOPICS = (
    ("AIオンデマンド交通", "公共交通空白地の移動手段の確保"),
    ("オープンデータ活用", "公開データの利用促進"),
    ("見守りカメラのデータ活用", "通学路の安全確保"),
    ("人流データ分析", "駅周辺のにぎわいの把握"),
    ("かこがわアプリの機能拡充", "子育て世帯への情報発信"),
    ("Decidim を活用した市民参加", "若い世代の意見の収集"),
    ("防災情報の配信", "河川増水時の避難情報の伝達"),
    ("BLEタグによる見守りサービス", "認知症高齢者の見守り"),
    ("スマート農業", "農業の担い手不足"),
    ("地域ポイント", "地域商店の活性化"),
    ("行政手続きのオンライン化", "窓口の混雑"),
    ("道路損傷の通報システム", "道路維持管理の効率化"),
    ("河川水位センサー", "内水氾濫への備え"),
    ("ローカル5G", "地域の通信環境の整備"),
    ("自動運転バス", "高齢者の移動支援"),
    ("GISによるデータ可視化", "庁内データの横断的な活用"),
    ("ダッシュボードの改修", "データの見える化"),
    ("デジタル人材の育成", "庁内のデジタル人材の不足"),
    ("EBPMに向けたデータ分析", "施策効果の検証"),
    ("キャッシュレス決済の導入", "公共施設の利便性向上"),
    ("ごみ収集ルートの最適化", "収集業務の負担軽減"),
    ("スマートシティの官民連携", "官民連携の体制づくり"),
)
# What each kind of business (by its romaji key) comes to talk about: topic names above.
_BUSINESS_TOPICS: dict[str, tuple[str, ...]] = {
    "data": ("オープンデータ活用", "人流データ分析", "EBPMに向けたデータ分析"),
    "seiko": ("河川水位センサー", "見守りカメラのデータ活用"),
    "soft": ("かこがわアプリの機能拡充", "行政手続きのオンライン化", "Decidim を活用した市民参加"),
    "net": ("ローカル5G", "BLEタグによる見守りサービス"),
    "system": ("行政手続きのオンライン化", "ダッシュボードの改修", "GISによるデータ可視化"),
    "it": ("GISによるデータ可視化", "ダッシュボードの改修", "デジタル人材の育成"),
    "tech": ("人流データ分析", "見守りカメラのデータ活用", "AIオンデマンド交通"),
    "denki": ("見守りカメラのデータ活用", "河川水位センサー"),
    "tsushin": ("ローカル5G", "防災情報の配信"),
    "mobility": ("AIオンデマンド交通", "自動運転バス"),
    "kotsu": ("AIオンデマンド交通", "自動運転バス"),
    "kensetsu": ("道路損傷の通報システム", "河川水位センサー"),
    "energy": ("ごみ収集ルートの最適化", "スマートシティの官民連携"),
    "consulting": ("EBPMに向けたデータ分析", "スマートシティの官民連携", "デジタル人材の育成"),
    "design": ("かこがわアプリの機能拡充", "Decidim を活用した市民参加"),
    "solutions": ("行政手続きのオンライン化", "キャッシュレス決済の導入", "ダッシュボードの改修"),
    "print": ("地域ポイント", "かこがわアプリの機能拡充"),
    "media": ("地域ポイント", "オープンデータ活用", "防災情報の配信"),
    "survey": ("GISによるデータ可視化", "道路損傷の通報システム"),
    "logistics": ("ごみ収集ルートの最適化", "AIオンデマンド交通"),
    "healthcare": ("BLEタグによる見守りサービス", "かこがわアプリの機能拡充"),
    "agritech": ("スマート農業",),
    "catv": ("防災情報の配信", "ローカル5G"),
    "bousai": ("防災情報の配信", "河川水位センサー"),
    "denshi": ("BLEタグによる見守りサービス", "見守りカメラのデータ活用"),
    "keisoku": ("河川水位センサー", "人流データ分析"),
    "drone": ("スマート農業", "道路損傷の通報システム"),
    "itlab": ("デジタル人材の育成", "オープンデータ活用", "GISによるデータ可視化"),
}
_TITLE_PATTERNS = (
    "{t}について意見交換", "{t}に関する相談", "{t}の実証について意見交換", "{t}に関する提案",
    "{t}の進捗確認", "{t}の事例紹介", "{t}に関する打合せ",
)
_SUMMARY_EXTRAS = (
    "費用感と実施スケジュールについて質疑があった。",
    "庁内の関係課を交えて継続して協議することとした。",
    "他市での導入事例について情報提供を受けた。",
    "個人情報の取扱いについて整理が必要との認識で一致した。",
    "国の補助事業の活用可能性について意見交換した。",
    "市民への周知方法についても意見をいただいた。",
    "実証エリアの候補として市内2地区を挙げた。",
)
_NEXT_ACTIONS = (
    "提案資料の送付を依頼", "庁内関係課と実施可否を調整", "実証計画案を作成し再協議",
    "見積書の提出を依頼", "データ提供の可否を法務担当に確認", "次回打合せの日程調整",
    "協定案を作成し先方に送付", "補助金の公募要領を確認", "課内で検討結果を共有",
)

_ELEMENTARY = ("加古川市立氷丘小学校", "加古川市立平岡南小学校", "加古川市立野口小学校",
               "加古川市立尾上小学校", "加古川市立別府小学校", "加古川市立若宮小学校")
_JUNIOR_HIGH = ("加古川市立浜の宮中学校", "加古川市立山手中学校", "加古川市立中部中学校",
                "加古川市立平岡中学校")
_HIGH = ("兵庫県立加古川東高等学校", "兵庫県立加古川西高等学校", "兵庫県立加古川北高等学校",
         "兵庫県立加古川南高等学校")
_HALLS = ("東加古川公民館", "平岡公民館", "尾上公民館", "野口公民館", "別府公民館",
          "神野公民館", "志方公民館", "加古川市民会館")
# (title, venues, audience, attendees range, weekend)
_Event = tuple[str, tuple[str, ...], str, tuple[int, int], bool]
_IN_CITY: tuple[_Event, ...] = (
    ("加古川市民フェスティバル 出展", ("日岡山公園",), "来場者（一般市民）", (400, 1800), True),
    ("加古川まつり かこがわアプリPRブース", ("加古川河川敷",), "来場者（一般市民）",
     (600, 2500), True),
    ("かこがわウェルネスフェスタ 出展", ("ウェルネスパーク",), "来場者（子育て世帯）",
     (200, 900), True),
    ("防災フェア かこがわアプリ防災機能の紹介", ("加古川市役所 本庁舎",), "来場者（一般市民）",
     (150, 700), True),
    ("市役所ロビー展「スマートシティかこがわ」", ("加古川市役所 本庁舎 1階ロビー",), "来庁者",
     (100, 600), False),
    ("公民館まつり アプリ登録相談会", _HALLS, "来場者（高齢者）", (40, 250), True),
    ("駅前にぎわいマルシェ 出展", ("加古川駅南広場",), "来場者（一般市民）", (300, 1200), True),
    ("子育てフェスタ 見守りサービス周知", ("加古川市民会館",), "来場者（子育て世帯）",
     (150, 800), True),
)
_LECTURES: tuple[_Event, ...] = (
    ("市内小学校 出前講座「スマートシティって何？」", _ELEMENTARY, "小学5・6年生", (30, 120),
     False),
    ("市内中学校 出前講座「オープンデータで地域を知ろう」", _JUNIOR_HIGH, "中学2年生",
     (30, 160), False),
    ("市内高校 出前講座「データで考える加古川のまちづくり」", _HIGH, "高校生", (20, 80), False),
    ("老人クラブ向け出前講座「スマホで使えるかこがわアプリ」", _HALLS, "高齢者（老人クラブ会員）",
     (10, 45), False),
    ("町内会 出前講座「見守りカメラとプライバシー」", _HALLS, "町内会役員", (10, 50), True),
    ("PTA向け出前講座「見守りサービスの使い方」", _ELEMENTARY, "保護者", (15, 60), False),
    ("市民講座「Decidim で市政に参加しよう」", ("加古川市民会館",), "市民", (20, 70), True),
    ("事業者向け出前講座「加古川市のオープンデータ活用」", ("加古川商工会議所",), "市内事業者",
     (10, 40), False),
)
# Out of the city: (title, ((venue, municipality), ...), audience, attendees range)
_OUT_OF_CITY: tuple[tuple[str, tuple[tuple[str, str], ...], str, tuple[int, int]], ...] = (
    ("スマートシティEXPO 出展", (("インテックス大阪", "大阪市"), ("東京ビッグサイト", "東京都")),
     "自治体・企業関係者", (200, 800)),
    ("関西スマートシティフォーラム 事例発表", (("グランフロント大阪", "大阪市"),
                                               ("神戸国際会議場", "神戸市")),
     "自治体・企業関係者", (80, 300)),
    ("自治体DX推進セミナー 登壇", (("大阪国際会議場", "大阪市"),
                                   ("京都市勧業館みやこめっせ", "京都市")), "自治体職員",
     (50, 250)),
    ("兵庫県 市町DX推進会議 事例紹介", (("兵庫県庁", "神戸市"),), "県内市町職員", (30, 90)),
    ("スマートシティ官民連携 事例報告会", (("東京国際フォーラム", "東京都"),),
     "自治体・企業関係者", (100, 500)),
    ("オープンデータ推進セミナー 講演", (("アクリエひめじ", "姫路市"),
                                         ("明石市立市民会館", "明石市")), "自治体職員・市民",
     (40, 200)),
    ("全国自治体スマートシティ連絡会 事例発表", (("パシフィコ横浜", "横浜市"),
                                                 ("福岡国際会議場", "福岡市")),
     "自治体職員", (60, 300)),
)

# Events per kind and period: the first period ends on the baseline date and holds exactly the
# baseline counts; FY2020 is thin (COVID-19), recent years are busier.
_EVENT_PLAN: dict[str, tuple[int, ...]] = {
    # pre-baseline, FY2018 rest, FY2019, …, FY2024
    "in_city": (4, 1, 6, 2, 4, 6, 8, 9),
    "lecture": (1, 1, 8, 4, 10, 15, 16, 18),
    "out_of_city": (3, 1, 5, 1, 3, 6, 9, 9),
}
_ARCHIVED_EVENTS = 3

# Meetings per fiscal year, and the companies first met in each period (3 before the
# baseline date = the baseline's 3 companies).
_MEETINGS_PER_YEAR = (20, 40, 40, 60, 70, 80, 90)
_FIRST_MET_PLAN = (3, 3, 9, 6, 10, 10, 2, 1)
_ONE_OFF_COMPANIES = 8
_ARCHIVED_MEETINGS = 10
_FOLLOW_UP_SHARE = 0.3


def _periods() -> list[tuple[date, date]]:
    """Pre-baseline, the rest of FY2018, then FY2019 … FY2024."""
    return [(FIRST_DAY, BASELINE_DAY), (BASELINE_DAY + timedelta(days=1), date(2019, 3, 31)),
            *(fiscal_year_range(fy) for fy in FISCAL_YEARS[1:])]


@dataclass(frozen=True)
class _AgreementPlan:
    """One demo agreement. `period` indexes _periods(): when it was concluded or, if never,
    when it was discussed. Partners are "company" (a company met before, preferably in one of
    `businesses`) or a non-company's slug; {company} in the title is that company's name."""

    title: str
    status: str
    partners: tuple[str, ...]
    period: int
    datasets: str
    notes: str | None = None
    businesses: tuple[str, ...] = ()
    concluded: bool = False  # for a cancelled one: cancelled after conclusion (still counts)


# Through FY2022: 10 with a private company (target 10 met), 5 + the 3 before the baseline
# with other partners (target 15 not met).
_AGREEMENTS: tuple[_AgreementPlan, ...] = (
    _AgreementPlan("兵庫県立大学とのデータ利活用に関する連携協定", "ended", ("u-hyogo",), 0,
                   "見守りカメラ設置位置, 人口統計, 公共施設一覧", "3年の期間満了により終了。"),
    _AgreementPlan("神戸大学との地域課題解決に向けたデータ連携協定", "concluded", ("kobe-u",),
                   0, "交通量調査結果, 人口統計"),
    _AgreementPlan("東播磨県民局との防災情報の共有に関する協定", "concluded",
                   ("higashiharima",), 0, "避難所一覧, 河川水位, 土砂災害警戒区域"),
    _AgreementPlan("{company}・兵庫県立大学との人流データ分析に関する協定", "concluded",
                   ("company", "u-hyogo"), 2, "人流データ, 防犯カメラ設置位置", "三者協定。",
                   ("data", "tech", "keisoku", "it")),
    _AgreementPlan("{company}との見守りサービスデータの提供に関する協定", "concluded",
                   ("company",), 2, "見守りタグ検知データ（匿名加工）, 検知器設置位置",
                   businesses=("healthcare", "denshi", "net")),
    _AgreementPlan("{company}とのオープンデータ活用に関する連携協定", "concluded",
                   ("company",), 3, "オープンデータ全般, カタログサイト利用統計",
                   businesses=("data", "media", "itlab", "soft")),
    _AgreementPlan("理化学研究所 計算科学研究センターとの浸水シミュレーションに関する協定",
                   "concluded", ("r-ccs",), 3, "地形データ, 河川水位, 下水道台帳"),
    _AgreementPlan("{company}との交通データ連携に関する協定", "ended", ("company",), 3,
                   "バス乗降データ, 交通量調査結果", "実証事業の終了に伴い期間満了。",
                   ("kotsu", "mobility", "logistics")),
    _AgreementPlan("高砂市・{company}との広域防災データ連携協定", "concluded",
                   ("takasago", "company"), 4, "避難所一覧, 河川水位, 気象観測データ",
                   businesses=("bousai", "catv", "tsushin")),
    _AgreementPlan("{company}とのAIオンデマンド交通の運行データに関する協定", "concluded",
                   ("company",), 4, "乗降データ, 運行ルート, 予約データ（匿名加工）",
                   businesses=("mobility", "kotsu", "tech")),
    _AgreementPlan("NPO法人かこがわICT支援ネットとのデジタル活用支援に関する協定",
                   "concluded", ("ict-net",), 4, "スマホ教室参加者数, アプリ登録支援件数"),
    _AgreementPlan("{company}との地域ポイントデータ連携協定", "cancelled", ("company",), 4,
                   "ポイント付与・利用データ（匿名加工）", "相手方のサービス終了に伴い中途解約。",
                   ("media", "print", "solutions"), concluded=True),
    _AgreementPlan("{company}・総務省 近畿総合通信局とのローカル5G実証に関する協定",
                   "concluded", ("company", "kinki-bureau"), 5,
                   "電波測定データ, 基地局設置位置", businesses=("tsushin", "catv", "net")),
    _AgreementPlan("{company}との道路損傷データの共有に関する協定", "concluded", ("company",),
                   5, "道路損傷通報データ, 道路台帳",
                   businesses=("survey", "kensetsu", "drone")),
    _AgreementPlan("{company}との河川水位センサーデータ連携協定", "concluded", ("company",), 5,
                   "河川水位, 雨量, センサー設置位置",
                   businesses=("keisoku", "bousai", "seiko", "denki")),
    _AgreementPlan("関西学院大学とのEBPM推進に関する連携協定", "concluded", ("kwansei",), 6,
                   "施策評価データ, 市民意識調査結果"),
    _AgreementPlan("{company}とのスマート農業データ連携に関する協定", "proposed",
                   ("company",), 7, "農地区画データ, 気象観測データ",
                   "先方から協定締結の提案あり。", ("agritech", "drone")),
    _AgreementPlan("{company}・神戸大学との自動運転バス実証データに関する協定",
                   "negotiating", ("company", "kobe-u"), 7, "車両走行データ, 交通量調査結果",
                   "令和7年度中の締結を目指し協議中。", ("mobility", "kotsu")),
    _AgreementPlan("稲美町・播磨町との行政データ共同利用に関する協定", "negotiating",
                   ("inami", "harima-town"), 6, "公共施設一覧, 子育て施設一覧",
                   "東播磨2市2町の枠組みで協議中。"),
    _AgreementPlan("{company}との防犯カメラ画像の解析に関する協定", "cancelled", ("company",),
                   3, "防犯カメラ画像", "個人情報保護審議会の意見を踏まえ協議を中止。",
                   ("tech", "denki", "denshi", "system")),
)

# Measured level KPIs: code -> (value at the target date, value at the demo's last day,
# cadence in months (3 or 6), note). Some reach their target, some fall short.
_LEVEL_PLANS: dict[str, tuple[float, float, int, str]] = {
    "open_data_files": (2180, 2650, 3, "オープンデータカタログサイトの公開ファイル数"),
    "internal_data_sharing": (7, 11, 6, "庁内データ共有基盤の登録件数"),
    "app_targeted_notices": (24, 38, 3, "かこがわアプリ管理画面より（属性別配信の累計）"),
    "app_notices": (288, 405, 3, "かこがわアプリ管理画面より（配信件数の累計）"),
    "dashboard_datasets": (42, 48, 6, "ダッシュボード掲載データセット数"),
    "app_downloads": (21400, 26800, 3, "App Store・Google Play の累計ダウンロード数"),
    "app_registered_users": (4350, 5200, 3, "かこがわアプリ管理画面より"),
    "app_awareness_rate": (23.1, 26.4, 6, "市民意識調査"),
    "decidim_projects": (16, 24, 3, "Decidim 管理画面より"),
    "decidim_registrations": (1120, 1480, 3, "Decidim 管理画面より"),
    "decidim_posts": (3870, 5350, 3, "Decidim 管理画面より"),
}
_ANNUAL_NOTE = "カタログサイトのアクセスログ（月次集計）"
_MILESTONE_NOTE = "保有情報の公開範囲に関する庁内検討会を実施"

# Tags, by what a record's title (a meeting's summary, an agreement's datasets) names.
_TAG_WORDS: dict[str, tuple[str, ...]] = {
    "スマートシティ": ("スマートシティ", "AIオンデマンド交通", "人流データ", "見守り", "ローカル5G",
                "自動運転", "道路損傷", "ごみ収集ルート", "河川水位センサー", "スマート農業",
                "データ連携基盤"),
    "防災": ("防災", "河川水位", "浸水", "避難"),
    "オープンデータ": ("オープンデータ",),
    "デジタル活用支援": ("スマホ", "アプリ", "Decidim", "オンライン化", "デジタル活用"),
}

# Agreements after the history: (month, plan); concluded on a day of that month.
_RECENT_AGREEMENTS: tuple[tuple[date, _AgreementPlan], ...] = (
    (date(2025, 7, 1), _AgreementPlan(
        "{company}とのスマートシティ・データ連携基盤に関する協定", "concluded", ("company",), 0,
        "人流データ, 交通量調査結果, 公共施設一覧", businesses=("data", "system", "it"))),
    (date(2026, 2, 1), _AgreementPlan(
        "{company}との河川水位・避難情報の連携に関する協定", "concluded", ("company",), 0,
        "河川水位, 避難所一覧, 雨量", businesses=("bousai", "keisoku", "catv"))),
    (date(2026, 9, 1), _AgreementPlan(
        "{company}とのAIオンデマンド交通の本格運行データに関する協定", "concluded",
        ("company",), 0, "乗降データ, 運行ルート", businesses=("mobility", "kotsu"))),
)
# Recent months: meetings a month (inclusive range) and events of each kind a month (drawn).
_RECENT_MEETINGS = (6, 10)
_RECENT_EVENTS: dict[str, tuple[int, ...]] = {
    "in_city": (0, 0, 1, 1, 2), "lecture": (0, 1, 1, 2, 2, 3), "out_of_city": (0, 0, 1, 1, 2),
}

#: The fictional second plan: its KPIs count records by their tags (docs/plans.md).
SMARTCITY_PLAN = """
[plan]
code = "smartcity-2021"
name_ja = "スマートシティ構想（例）"
name_en = "Smart city plan (example)"
first_fiscal_year = 2021
last_fiscal_year = 2026
adopted_on = "2021-03-26"
notes = "デモ用の架空の計画。前期 FY2021–FY2023、後期 FY2024–FY2026（令和6年3月に後期改訂）"

[[kpi]]
code = "sc_companies"
name_ja = "スマートシティで意見交換した企業数"
name_en = "Companies consulted on the smart city"
unit = "社"
policy_ref = "1-(1)"
kind = "computed"
baseline = 0
baseline_as_of = "2021-03-31"
target = 20
target_by = "2024-03-31"
target_label = "前期目標（累計）"
[kpi.count]
source = "meetings"
measure = "first_time_organizations"
organization_kinds = ["company"]
tags = ["スマートシティ"]
[[kpi.revision]]
revised_on = "2024-03-29"
target = 38
target_by = "2027-03-31"
reason = "後期改訂"

[[kpi]]
code = "sc_meetings"
name_ja = "スマートシティに関する意見交換の回数"
name_en = "Meetings on the smart city"
unit = "回"
policy_ref = "1-(2)"
kind = "computed"
baseline = 0
baseline_as_of = "2021-03-31"
target = 240
target_by = "2027-03-31"
target_label = "累計"
[kpi.count]
source = "meetings"
tags = ["スマートシティ"]

[[kpi]]
code = "sc_agreements"
name_ja = "スマートシティ分野のデータ連携協定数"
name_en = "Smart-city data-linkage agreements"
unit = "件"
policy_ref = "1-(3)"
kind = "computed"
baseline = 0
baseline_as_of = "2021-03-31"
target = 8
target_by = "2027-03-31"
target_label = "累計"
[kpi.count]
source = "agreements"
tags = ["スマートシティ"]

[[kpi]]
code = "sc_bousai_attendees"
name_ja = "防災をテーマとした周知広報の参加者数"
name_en = "Attendees of disaster-prevention promotions"
unit = "人"
policy_ref = "2-(1)"
kind = "computed"
baseline = 0
baseline_as_of = "2021-03-31"
target = 2000
target_by = "2027-03-31"
target_label = "累計"
[kpi.count]
source = "events"
measure = "attendees"
tags = ["防災"]

[[kpi]]
code = "sc_digital_lectures"
name_ja = "デジタル活用支援の出前講座の回数"
name_en = "Lectures on digital skills"
unit = "回"
policy_ref = "2-(2)"
kind = "computed"
baseline = 0
baseline_as_of = "2021-03-31"
target = 26
target_by = "2027-03-31"
target_label = "累計"
[kpi.count]
source = "events"
event_kinds = ["lecture"]
tags = ["デジタル活用支援"]
"""


# --- helpers --------------------------------------------------------------------------------


_T = TypeVar("_T")

#: How a company's name is written: the first form whose threshold a roll is below.
_COMPANY_FORMS = (
    (0.40, "株式会社{}"), (0.82, "{}株式会社"), (0.90, "(株){}"), (0.96, "{}合同会社"),
)
#: An event's notes (text, lowest and highest number), by the same kind of roll.
_EVENT_NOTES: tuple[tuple[float, tuple[str, int, int] | None], ...] = (
    (0.25, ("かこがわアプリ新規登録 {}件", 5, 60)), (0.4, ("チラシ {}部配布", 50, 500)),
    (0.5, ("アンケート回答 {}件", 10, 120)),
)


def _by_roll(roll: float, choices: Sequence[tuple[float, _T]], otherwise: _T) -> _T:
    """The first choice whose threshold `roll` is below, else `otherwise`."""
    return next((choice for limit, choice in choices if roll < limit), otherwise)


def _random_day(
    rng: random.Random, start: date, end: date, *, weekend: bool | None = False
) -> date:
    """A random day in [start, end]: a weekday (False), a weekend day (True) or any (None).

    Skips the New Year holidays (12/29–1/3) for weekdays.
    """
    span = (end - start).days
    for _ in range(200):
        day = start + timedelta(days=rng.randint(0, span))
        if weekend is None:
            return day
        if weekend != (day.weekday() >= 5):
            continue
        if not weekend and ((day.month, day.day) >= (12, 29) or (day.month, day.day) <= (1, 3)):
            continue
        return day
    return start + timedelta(days=rng.randint(0, span))


def _tags(day: date | None, *texts: str | None) -> list[str]:
    """The tags of a record dated `day` whose texts name them (none on or before
    TAGGED_AFTER)."""
    if day is None or day <= TAGGED_AFTER:
        return []
    text = " ".join(t for t in texts if t)
    return [tag for tag, words in _TAG_WORDS.items() if any(w in text for w in words)]


def _corporate_number(rng: random.Random, taken: set[str]) -> str:
    """A fresh, valid 13-digit corporate number (法人番号)."""
    while True:
        base = "".join(str(rng.randint(0, 9)) for _ in range(12))
        number = f"{corporate_number_check_digit(base)}{base}"
        if number not in taken:
            taken.add(number)
            return number


def _kakogawa_address(rng: random.Random) -> str:
    town = rng.choice(_KAKOGAWA_TOWNS)
    if rng.random() < 0.5:
        return f"兵庫県加古川市{town}{rng.randint(1, 999)}番地"
    return f"兵庫県加古川市{town}{rng.randint(1, 3)}丁目{rng.randint(1, 20)}-{rng.randint(1, 15)}"


def _company_address(rng: random.Random, name_core: str) -> str:
    roll = rng.random()
    if roll < 0.65:
        address = _kakogawa_address(rng)
    else:
        towns = _OTHER_TOWNS if roll < 0.88 else _FAR_TOWNS
        address = f"{rng.choice(towns)}{rng.randint(1, 5)}-{rng.randint(1, 30)}-{rng.randint(1, 9)}"
    if rng.random() < 0.3:
        address += f" {name_core}{rng.choice(_BUILDINGS)}{rng.randint(2, 8)}階"
    return address


def _month_ends_after(start: date, end: date, months: int) -> list[date]:
    """Month ends in (start, end] every `months` months, aligned to the fiscal year."""
    days: list[date] = []
    year, month = start.year, start.month
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        if last > end:
            return days
        if last > start and (month - 3) % months == 0:
            days.append(last)


def _month_ends(start: date, end: date) -> list[date]:
    """Every month end in [start, end]."""
    return [d for d in _month_ends_after(start - timedelta(days=1), end, 1) if d >= start]


@dataclass
class _Company:
    """A generated company and how the demo meets it."""

    id: int
    name: str
    slug: str
    business: str
    first_met: date = FIRST_DAY
    one_off: bool = False
    weight: float = 1.0
    topics: list[int] = field(default_factory=list)


@dataclass
class _Org:
    id: int
    name: str
    kind: str
    slug: str


# --- the generator --------------------------------------------------------------------------


#: The steps of `generate_demo`, in order, as its `progress` callback names them.
DEMO_STEPS = ("organizations", "meetings", "agreements", "events", "measurements", "plans",
              "recent")


def generate_demo(session: Session, ctx: Context, *, today: date, seed: int = 2018,
                  progress: Callable[[str], None] | None = None) -> DemoSummary:
    """Fill an empty database (the shipped plan seeded) with the demo data for `seed`, up to
    `today`, and the example smart-city plan; flushes, no commit. `progress` is called with
    each of DEMO_STEPS as it begins."""
    if session.scalar(select(func.count()).select_from(Organization)):
        raise DataError("demo data needs an empty database",
                        ja="デモデータは空のデータベースにのみ作成できます")
    step = progress or (lambda _name: None)
    rng = random.Random(seed)
    step("organizations")
    companies, others = _organizations(session, ctx, rng)
    staff = _staff(session, ctx)
    contacts = _contacts(session, ctx, rng, companies, others)
    # The session holds records weakly: pin them so that the services' checks by id are
    # answered from the identity map instead of one query each.
    session.info["demo_pinned"] = [
        *session.scalars(select(Organization)), *session.scalars(select(Staff)),
        *session.scalars(select(Contact)),
    ]
    try:
        step("meetings")
        meetings, archived_meetings, meeting_links = _meetings(
            session, ctx, rng, companies, others, staff, contacts
        )
        step("agreements")
        agreements, partners = _agreements(session, ctx, rng, companies, others)
        step("events")
        events, archived_events = _events(session, ctx, rng, staff)
        step("measurements")
        measurements = _measurements(session, ctx, rng)
        step("plans")
        plans.import_plan(session, ctx, parse_plan(tomllib.loads(SMARTCITY_PLAN),
                                                   "smartcity-2021.toml"), "smartcity-2021.toml")
        step("recent")
        recent = _recent(session, ctx, seed, today, companies, others, staff, contacts)
    finally:
        session.info.pop("demo_pinned", None)
    return DemoSummary(
        organizations=len(companies) + len(others),
        contacts=sum(len(c) for c in contacts.values()),
        staff=len(staff),
        meetings=meetings + recent.meetings,
        meeting_organizations=meeting_links + recent.meeting_organizations,
        agreements=agreements + recent.agreements,
        agreement_partners=partners + recent.agreement_partners,
        outreach_events=events + recent.events,
        kpi_measurements=measurements,
        archived_meetings=archived_meetings,
        archived_events=archived_events,
        plans=int(session.scalar(select(func.count()).select_from(Plan)) or 0),
        tags=int(session.scalar(select(func.count()).select_from(Tag)) or 0),
    )


def _organizations(
    session: Session, ctx: Context, rng: random.Random
) -> tuple[list[_Company], dict[str, _Org]]:
    """The 20 non-companies (by slug) and 44 fictional companies, with when each is first met."""
    numbers: set[str] = set()
    names: set[str] = set()
    others: dict[str, _Org] = {}
    for name, kana, kind, slug, address, website, notes, numbered in _NON_COMPANIES:
        org = services.create_organization(
            session, ctx, name=name, kind=kind, kana=kana, address=address, website=website,
            notes=notes, corporate_number=_corporate_number(rng, numbers) if numbered else None,
        )
        assert org.id is not None
        names.add(org.normalized_name)
        others[slug] = _Org(org.id, org.name, kind, slug)

    companies: list[_Company] = []
    pairs: set[tuple[int, int]] = set()
    while len(companies) < COMPANY_COUNT:
        p, b = rng.randrange(len(_PLACES)), rng.randrange(len(_BUSINESSES))
        if (p, b) in pairs:
            continue
        place, business = _PLACES[p], _BUSINESSES[b]
        core, reading = place[0] + business[0], place[1] + business[1]
        name = _by_roll(rng.random(), _COMPANY_FORMS, "有限会社{}").format(core)
        if normalize_name(name) in names:
            continue
        pairs.add((p, b))
        slug = f"{place[2]}-{business[2]}"
        org = services.create_organization(
            session, ctx, name=name, kind="company",
            kana=to_hiragana(reading) if rng.random() < 0.25 else reading,
            corporate_number=_corporate_number(rng, numbers) if rng.random() < 0.7 else None,
            address=_company_address(rng, core),
            website=f"https://www.{slug}.example.jp/" if rng.random() < 0.6 else None,
            notes=rng.choice(_COMPANY_NOTES) if rng.random() < 0.3 else None,
        )
        assert org.id is not None
        names.add(org.normalized_name)
        topics = [i for i, (topic, _) in enumerate(_TOPICS)
                  if topic in _BUSINESS_TOPICS[business[2]]]
        companies.append(_Company(org.id, org.name, slug, business[2], topics=topics))

    # Who is first met when (the first period's companies are the baseline's); some are met
    # only once; a few are met far more often than others.
    order = rng.sample(companies, len(companies))
    position = 0
    for (start, end), count in zip(_periods(), _FIRST_MET_PLAN, strict=True):
        for company in order[position : position + count]:
            company.first_met = _random_day(rng, start, end)
        position += count
    for company in rng.sample(order[_FIRST_MET_PLAN[0] :], _ONE_OFF_COMPANIES):
        company.one_off = True
    for company in companies:
        company.weight = min(rng.paretovariate(1.3), 8.0)
    return companies, others


def _staff(session: Session, ctx: Context) -> list[tuple[int, int, int | None]]:
    """The liaison staff as (id, first fiscal year, last fiscal year or None)."""
    result = []
    for name, kana, section, first, last in _STAFF:
        member = services.create_staff(
            session, ctx, name=name, kana=kana, section=section, active=last is None
        )
        assert member.id is not None
        result.append((member.id, first, last))
    return result


def _contacts(
    session: Session,
    ctx: Context,
    rng: random.Random,
    companies: list[_Company],
    others: dict[str, _Org],
) -> dict[int, list[int]]:
    """1–3 contacts at 30 organizations; returns organization id -> contact ids."""
    regular = [_Org(c.id, c.name, "company", c.slug) for c in companies if not c.one_off]
    chosen = rng.sample(regular, 22) + rng.sample(list(others.values()), 8)
    contacts: dict[int, list[int]] = {}
    for org in sorted(chosen, key=lambda o: o.id):
        departments, titles = _ROLES[org.kind]
        people = rng.sample(range(len(_SURNAMES)), rng.choice((1, 1, 2, 2, 3)))
        for person in people:
            surname = _SURNAMES[person]
            given = rng.choice(_GIVEN_NAMES)
            email = (f"{given[2]}.{surname[2]}@{org.slug}.example.jp"
                     if rng.random() < 0.8 else None)
            contact = services.add_contact(
                session, ctx, organization_id=org.id, name=f"{surname[0]} {given[0]}",
                kana=f"{surname[1]} {given[1]}", department=rng.choice(departments),
                title=rng.choice(titles), email=email,
                notes="メールより電話連絡を好む。" if rng.random() < 0.1 else None,
            )
            assert contact.id is not None
            contacts.setdefault(org.id, []).append(contact.id)
    return contacts


def _weighted(rng: random.Random, companies: Sequence[_Company]) -> _Company:
    return rng.choices(companies, weights=[c.weight for c in companies])[0]


def _meetings(
    session: Session,
    ctx: Context,
    rng: random.Random,
    companies: list[_Company],
    others: dict[str, _Org],
    staff: list[tuple[int, int, int | None]],
    contacts: dict[int, list[int]],
) -> tuple[int, int, int]:
    """400 meetings; returns (meetings, archived, organization links)."""
    non_companies = list(others.values())
    nc_weights = [{"municipality": 3, "university": 3, "government_agency": 2}.get(o.kind, 1)
                  if o.slug != "kakogawa-police" else 1 for o in non_companies]
    cci = others["kakogawa-cci"]
    # (day, is first meeting, organization ids, topic index, intro note)
    specs: list[tuple[date, bool, list[int], int, str | None]] = []
    for company in companies:
        orgs = [company.id]
        note = None
        if rng.random() < 0.15:
            orgs.append(cci.id)
            note = "加古川商工会議所の紹介により面談。"
        specs.append((company.first_met, True, orgs, rng.choice(company.topics), note))
    for fy, total in zip(FISCAL_YEARS, _MEETINGS_PER_YEAR, strict=True):
        start, end = fiscal_year_range(fy)
        firsts = sum(1 for c in companies if start <= c.first_met <= end)
        for _ in range(total - firsts):
            day = _random_day(rng, start, end)
            eligible = [c for c in companies if c.first_met <= day and not c.one_off]
            if eligible and rng.random() < 0.78:
                primary = _weighted(rng, eligible)
                orgs = [primary.id]
                topic_index = (rng.choice(primary.topics) if rng.random() < 0.7
                               else rng.randrange(len(_TOPICS)))
                roll = rng.random()
                if roll < 0.22:
                    orgs.append(rng.choices(non_companies, weights=nc_weights)[0].id)
                elif roll < 0.30:
                    orgs.append(_weighted(rng, eligible).id)
                elif roll < 0.35:
                    orgs.append(_weighted(rng, eligible).id)
                    orgs.append(rng.choices(non_companies, weights=nc_weights)[0].id)
            else:
                orgs = [rng.choices(non_companies, weights=nc_weights)[0].id]
                if rng.random() < 0.2:
                    orgs.append(rng.choices(non_companies, weights=nc_weights)[0].id)
                topic_index = rng.randrange(len(_TOPICS))
            specs.append((day, False, list(dict.fromkeys(orgs)), topic_index, None))
    # Oldest first, so ids follow the calendar; a company's first meeting leads its day.
    specs.sort(key=lambda s: (s[0], not s[1]))

    follow_ups: list[tuple[int, date, date]] = []
    ordinary: list[int] = []
    links = 0
    for day, first, orgs, topic_index, note in specs:
        topic, issue = _TOPICS[topic_index]
        fy = fiscal_year_of(day)
        available = [sid for sid, a, b in staff if a <= fy and (b is None or fy <= b)]
        staff_ids = rng.sample(available, rng.choice((1, 1, 2)))
        contact_ids = [rng.choice(contacts[o]) for o in orgs
                       if o in contacts and rng.random() < 0.55]
        if first:
            title = rng.choice(("事業紹介と意見交換（初回訪問）", f"{topic}に関する事業紹介"))
            summary = (f"{topic}に関する先方の取組について紹介を受け、"
                       f"本市の{issue}について意見交換した。")
            if note:
                summary = note + summary
        else:
            title = rng.choice(_TITLE_PATTERNS).format(t=topic)
            summary = f"{topic}について、本市の課題（{issue}）を共有した。"
            summary += rng.choice(_SUMMARY_EXTRAS)
        next_action = follow_up_on = None
        if rng.random() < _FOLLOW_UP_SHARE:
            next_action = rng.choice(_NEXT_ACTIONS)
            follow_up_on = day + timedelta(days=rng.randint(7, 45))
        meeting = services.log_meeting(
            session, ctx, held_on=day, title=title, organization_ids=orgs, staff_ids=staff_ids,
            contact_ids=contact_ids, summary=summary, next_action=next_action,
            follow_up_on=follow_up_on, tags=_tags(day, title, summary),
        )
        assert meeting.id is not None
        links += len(orgs)
        if follow_up_on is not None:
            follow_ups.append((meeting.id, day, follow_up_on))
        if not first:
            ordinary.append(meeting.id)

    # Most follow-ups due more than a month before the demo's end are done; a few are overdue.
    for meeting_id, held_on, due in follow_ups:
        if due <= LAST_DAY - timedelta(days=30) and rng.random() < 0.85:
            done = due + timedelta(days=rng.randint(-7, 14))
            done = min(max(done, held_on), LAST_DAY)
            services.complete_follow_up(session, ctx, meeting_id, done_on=done)
    # Entered twice or by mistake: archived, never counted.
    archived = rng.sample(ordinary, _ARCHIVED_MEETINGS)
    for meeting_id in sorted(archived):
        services.archive(session, ctx, Meeting, meeting_id)
    return len(specs), len(archived), links


def _agreements(
    session: Session,
    ctx: Context,
    rng: random.Random,
    companies: list[_Company],
    others: dict[str, _Org],
) -> tuple[int, int]:
    """The 20 agreements; returns (agreements, partner links)."""
    periods = _periods()
    used: set[int] = set()
    refs: set[int] = set()
    partner_links = 0
    for plan in _AGREEMENTS:
        start, end = periods[plan.period]
        concluded_on = _random_day(rng, start, end)
        # A company partner was first met at least three months before and is not yet a
        # partner; one in a fitting business if there is one.
        known = [c for c in companies if c.first_met <= concluded_on - timedelta(days=90)
                 and not c.one_off]
        fresh = [c for c in known if c.id not in used] or known
        fitting = [c for c in fresh if c.business in plan.businesses] or fresh
        partner_ids: list[int] = []
        company_name = ""
        for partner in plan.partners:
            if partner == "company":
                company = _weighted(rng, fitting)
                used.add(company.id)
                company_name = company.name
                partner_ids.append(company.id)
            else:
                partner_ids.append(others[partner].id)
        notes = plan.notes
        starts_on = ends_on = None
        document_ref = None
        concluded = plan.status in ("concluded", "ended") or plan.concluded
        if concluded:
            starts_on = concluded_on
            while True:
                number = rng.randint(50, 1500)
                if number not in refs:
                    refs.add(number)
                    break
            document_ref = f"加情第{number}号"
            term_end = fiscal_year_range(fiscal_year_of(concluded_on) + 2)[1]
            if plan.status == "ended":
                ends_on = term_end
            elif plan.status == "cancelled":
                ends_on = _random_day(rng, concluded_on + timedelta(days=200),
                                      concluded_on + timedelta(days=500))
            elif term_end > LAST_DAY:
                ends_on = term_end
            else:
                notes = notes or "期間満了後は1年ごとの自動更新。"
        title = plan.title.format(company=company_name)
        services.create_agreement(
            session, ctx, title=title, partner_ids=partner_ids, status=plan.status,
            concluded_on=concluded_on if concluded else None,
            starts_on=starts_on, ends_on=ends_on, datasets=plan.datasets,
            document_ref=document_ref, notes=notes,
            tags=_tags(concluded_on, title, plan.datasets),
        )
        partner_links += len(partner_ids)
    return len(_AGREEMENTS), partner_links


def _events(
    session: Session,
    ctx: Context,
    rng: random.Random,
    staff: list[tuple[int, int, int | None]],
) -> tuple[int, int]:
    """The 150 outreach events; returns (events, archived)."""
    periods = _periods()
    planned: list[tuple[date, str, str, str, str, int, str]] = []
    for kind, counts in _EVENT_PLAN.items():
        for (start, end), count in zip(periods, counts, strict=True):
            for _ in range(count):
                planned.append(_event(rng, kind, start, end))
    planned.sort(key=lambda e: e[0])

    counted: list[int] = []
    for held_on, kind, title, venue, municipality, attendees, audience in planned:
        fy = fiscal_year_of(held_on)
        available = [sid for sid, a, b in staff if a <= fy and (b is None or fy <= b)]
        note = _by_roll(rng.random(), _EVENT_NOTES, None)
        notes = None if note is None else note[0].format(rng.randint(note[1], note[2]))
        event = services.log_event(
            session, ctx, held_on=held_on, kind=kind, title=title, venue=venue,
            municipality=municipality, attendees=attendees, audience=audience,
            staff_ids=rng.sample(available, rng.choice((1, 2, 2, 3))), notes=notes,
            tags=_tags(held_on, title),
        )
        assert event.id is not None
        if held_on > BASELINE_DAY:
            counted.append(event.id)
    archived = rng.sample(counted, _ARCHIVED_EVENTS)
    for event_id in sorted(archived):
        services.archive(session, ctx, OutreachEvent, event_id)
    return len(planned), len(archived)


def _event(
    rng: random.Random, kind: str, start: date, end: date
) -> tuple[date, str, str, str, str, int, str]:
    """(day, kind, title, venue, municipality, attendees, audience) of one planned event."""
    covid = date(2020, 4, 1) <= end and start <= date(2022, 3, 31)
    if kind == "out_of_city":
        title, places, audience, (low, high) = rng.choice(_OUT_OF_CITY)
        venue, municipality = rng.choice(places)
        day = _random_day(rng, start, end)
        if covid and rng.random() < 0.6:
            title, venue = f"{title}（オンライン開催）", "オンライン"
        return day, kind, title, venue, municipality, rng.randint(low, high), audience
    title, venues, audience, (low, high), weekend = rng.choice(
        _IN_CITY if kind == "in_city" else _LECTURES
    )
    day = _random_day(rng, start, end, weekend=weekend)
    attendees = rng.randint(low, high)
    if covid:
        attendees = max(low, attendees // 2)
    return day, kind, title, rng.choice(venues), "加古川市", attendees, audience


@dataclass
class _Recent:
    """What `_recent` wrote."""

    meetings: int = 0
    meeting_organizations: int = 0
    agreements: int = 0
    agreement_partners: int = 0
    events: int = 0


def _recent(
    session: Session,
    ctx: Context,
    seed: int,
    today: date,
    companies: list[_Company],
    others: dict[str, _Org],
    staff: list[tuple[int, int, int | None]],
    contacts: dict[int, list[int]],
) -> _Recent:
    """Meetings, events and agreements from the day after LAST_DAY up to `today`, a month at
    a time; each month draws from its own generator (seed and month), and what falls after
    `today` is drawn but not written, so earlier months never depend on `today`."""
    done = _Recent()
    regular = [c for c in companies if not c.one_off]
    non_companies = list(others.values())
    refs = 1500
    follow_ups: list[tuple[int, date, date, float, int]] = []
    month = LAST_DAY + timedelta(days=1)
    while month <= today:
        rng = random.Random(f"kakogawa-crm demo {seed} {month.isoformat()[:7]}")
        end = _month_ends(month, month + timedelta(days=31))[0]
        fy = fiscal_year_of(month)
        available = [sid for sid, a, b in staff if a <= fy and (b is None or fy <= b)]
        for _ in range(rng.randint(*_RECENT_MEETINGS)):
            day = _random_day(rng, month, end)
            if rng.random() < 0.8:
                company = _weighted(rng, regular)
                orgs = [company.id]
                topic_index = rng.choice(company.topics)
                if rng.random() < 0.25:
                    orgs.append(rng.choice(non_companies).id)
            else:
                orgs = [rng.choice(non_companies).id]
                topic_index = rng.randrange(len(_TOPICS))
            topic, issue = _TOPICS[topic_index]
            title = rng.choice(_TITLE_PATTERNS).format(t=topic)
            summary = f"{topic}について、本市の課題（{issue}）を共有した。"
            summary += rng.choice(_SUMMARY_EXTRAS)
            staff_ids = rng.sample(available, rng.choice((1, 1, 2)))
            contact_ids = [rng.choice(contacts[o]) for o in orgs
                           if o in contacts and rng.random() < 0.55]
            next_action = follow_up_on = None
            if rng.random() < _FOLLOW_UP_SHARE:
                next_action = rng.choice(_NEXT_ACTIONS)
                follow_up_on = day + timedelta(days=rng.randint(7, 45))
            roll, delay = rng.random(), rng.randint(-7, 14)
            if day > today:
                continue
            meeting = services.log_meeting(
                session, ctx, held_on=day, title=title, organization_ids=list(dict.fromkeys(orgs)),
                staff_ids=staff_ids, contact_ids=contact_ids, summary=summary,
                next_action=next_action, follow_up_on=follow_up_on,
                tags=_tags(day, title, summary),
            )
            assert meeting.id is not None
            done.meetings += 1
            done.meeting_organizations += len(set(orgs))
            if follow_up_on is not None:
                follow_ups.append((meeting.id, day, follow_up_on, roll, delay))
        for kind, choices in _RECENT_EVENTS.items():
            for _ in range(rng.choice(choices)):
                held_on, kind, title, venue, municipality, attendees, audience = _event(
                    rng, kind, month, end)
                staff_ids = rng.sample(available, rng.choice((1, 2, 2, 3)))
                if held_on > today:
                    continue
                services.log_event(
                    session, ctx, held_on=held_on, kind=kind, title=title, venue=venue,
                    municipality=municipality, attendees=attendees, audience=audience,
                    staff_ids=staff_ids, tags=_tags(held_on, title),
                )
                done.events += 1
        for starting, plan in _RECENT_AGREEMENTS:
            if starting != month:
                continue
            concluded_on = _random_day(rng, month, end)
            fitting = [c for c in regular if c.business in plan.businesses] or regular
            company = _weighted(rng, fitting)
            refs += rng.randint(1, 40)
            if concluded_on > today:
                continue
            title = plan.title.format(company=company.name)
            services.create_agreement(
                session, ctx, title=title, partner_ids=[company.id], status=plan.status,
                concluded_on=concluded_on, starts_on=concluded_on,
                ends_on=fiscal_year_range(fiscal_year_of(concluded_on) + 2)[1],
                datasets=plan.datasets, document_ref=f"加情第{refs}号",
                tags=_tags(concluded_on, title, plan.datasets),
            )
            done.agreements += 1
            done.agreement_partners += 1
        month = end + timedelta(days=1)
    # Follow-ups due more than a month before today are mostly done; recent ones are open.
    for meeting_id, held_on, due, roll, delay in follow_ups:
        if due <= today - timedelta(days=30) and roll < 0.85:
            done_on = min(max(due + timedelta(days=delay), held_on), today)
            services.complete_follow_up(session, ctx, meeting_id, done_on=done_on)
    return done


def _measurements(session: Session, ctx: Context, rng: random.Random) -> int:
    """Measurements for every active measured KPI; returns how many."""
    kpis = session.scalars(
        select(Kpi).where(col(Kpi.kind) == "measured", col(Kpi.archived_at).is_(None))
        .order_by(col(Kpi.sort_order), col(Kpi.id))
    ).all()
    rows: list[tuple[str, date, float, str | None]] = []
    for kpi in kpis:
        if kpi.rule == "milestone":
            middle = kpi.baseline_as_of + (kpi.target_by - kpi.baseline_as_of) * 0.6
            start, end = fiscal_year_range(fiscal_year_of(middle))
            rows.append((kpi.code, _random_day(rng, start, end), 1, _MILESTONE_NOTE))
        elif kpi.rule == "annual":
            rows.extend(_annual(rng, kpi))
        else:
            rows.extend(_level(rng, kpi))
    for code, measured_on, value, note in rows:
        services.record_measurement(
            session, ctx, kpi_code=code, measured_on=measured_on, value=value, note=note
        )
    return len(rows)


def _annual(rng: random.Random, kpi: Kpi) -> list[tuple[str, date, float, str | None]]:
    """Monthly figures from the first fiscal year after the baseline, near target / 12."""
    first_year = fiscal_year_of(kpi.baseline_as_of) + 1
    monthly = kpi.target / 12
    rows: list[tuple[str, date, float, str | None]] = []
    for fy in range(first_year, fiscal_year_of(LAST_DAY) + 1):
        level = rng.uniform(0.93, 1.08)
        start, end = fiscal_year_range(fy)
        for day in _month_ends(start, end):
            value = monthly * level * rng.uniform(0.88, 1.12)
            value = min(max(value, monthly * 0.84), monthly * 1.2)
            rows.append((kpi.code, day, round(value), _ANNUAL_NOTE))
    return rows


def _level(rng: random.Random, kpi: Kpi) -> list[tuple[str, date, float, str | None]]:
    """Values rising from the baseline towards (or past) the target, then beyond it."""
    base, target = kpi.baseline, kpi.target
    decimals = 0 if float(base).is_integer() and float(target).is_integer() else 1
    if kpi.code in _LEVEL_PLANS:
        goal, final, months, note = _LEVEL_PLANS[kpi.code]
    else:
        goal = base + (target - base) * rng.uniform(0.75, 1.1)
        final, months, note = goal + (goal - base) * 0.25, 3, None
    scale = rng.uniform(0.96, 1.04)
    goal, final = base + (goal - base) * scale, base + (final - base) * scale
    shape = rng.uniform(0.8, 1.3)
    rising = decimals == 0
    rows: list[tuple[str, date, float, str | None]] = []
    previous = base
    span = (kpi.target_by - kpi.baseline_as_of).days
    tail = max((LAST_DAY - kpi.target_by).days, 1)
    for day in _month_ends_after(kpi.baseline_as_of, LAST_DAY, months):
        if day <= kpi.target_by:
            value = base + (goal - base) * ((day - kpi.baseline_as_of).days / span) ** shape
        else:
            value = goal + (final - goal) * (day - kpi.target_by).days / tail
        value += (goal - base) * rng.uniform(-0.02, 0.02)
        value = round(value, decimals)
        if rising:
            value = max(value, previous)
        previous = value
        rows.append((kpi.code, day, value, note))
    return rows
