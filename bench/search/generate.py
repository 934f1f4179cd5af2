"""Seeded generator of realistic municipal dataset dicts for bench/search.

Titles are composed the way the members' catalogues name things
(「倉敷市 指定緊急避難場所一覧」, 「総社市 公衆トイレ一覧（令和6年度）」,
「井原市 地域・年齢別人口 2024年3月末」 ...), notes are Japanese sentences, some
datasets carry English titles/notes (title_en, notes_en, or an English title), and every
dataset has tags and 1-3 resources.

Dataset i depends only on (seed, i): ``generate(10000)[:1000] == generate(1000)``, so the
bench loads the 10,000 as the 1,000 plus 9,000 more.

Ground truth for recall comes from here, never from a search engine: a dataset is
*about* a query when the query's concept occurs in the dataset's own text
(``relevant()``): a Japanese query as a substring, an English one as a word pattern, a
citizen query (``CITIZEN_QUERIES``, issue 14) by the written forms of what the person
means, listed by hand beside it, or by its category.

    python bench/search/generate.py 5        # print five datasets as JSON
"""
from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass

# The ten members of 高梁川流域連携中枢都市圏 (organization name, title, English, weight
# ~ how many datasets each publishes: 倉敷市 publishes most).
MEMBERS = [
    ("kurashiki", "倉敷市", "Kurashiki City", "www.city.kurashiki.okayama.jp", 8),
    ("kasaoka", "笠岡市", "Kasaoka City", "www.city.kasaoka.okayama.jp", 2),
    ("ibara", "井原市", "Ibara City", "www.city.ibara.okayama.jp", 2),
    ("soja", "総社市", "Soja City", "www.city.soja.okayama.jp", 3),
    ("takahashi", "高梁市", "Takahashi City", "www.city.takahashi.lg.jp", 2),
    ("niimi", "新見市", "Niimi City", "www.city.niimi.okayama.jp", 2),
    ("asakuchi", "浅口市", "Asakuchi City", "www.city.asakuchi.lg.jp", 1),
    ("hayashima", "早島町", "Hayashima Town", "www.town.hayashima.lg.jp", 1),
    ("satosho", "里庄町", "Satosho Town", "www.town.satosho.okayama.jp", 1),
    ("yakage", "矢掛町", "Yakage Town", "www.town.yakage.okayama.jp", 1),
]


@dataclass(frozen=True)
class Topic:
    key: str
    title: str  # Japanese base title
    title_en: str
    notes: tuple[str, ...]  # Japanese sentences; {m} = member title
    notes_en: str
    tags: tuple[str, ...]
    category: str  # regionaliot_category value
    standard: str = "none"  # regionaliot_standard_dataset value
    weight: int = 2
    dated: str = "year"  # year: （令和6年度）, asof: 2024年3月末, none


# The 16 standard datasets (schemas/ckan/presets.yaml) first, then other common topics.
TOPICS = [
    Topic("aed", "AED設置箇所一覧", "AED locations",
          ("{m}内の公共施設に設置されたAED（自動体外式除細動器）の設置箇所一覧です。",
           "利用可能時間と施設の電話番号を含みます。"),
          "Locations of automated external defibrillators (AED) in public facilities.",
          ("AED", "救急", "推奨データセット"), "shakaihosho-eisei", "aed", 3),
    Topic("care", "介護サービス事業所一覧", "Long-term care service providers",
          ("{m}内の介護サービス事業所の名称、所在地、サービス種別の一覧です。",),
          "Long-term care service providers with address and service type.",
          ("介護", "福祉", "推奨データセット"), "shakaihosho-eisei", "care_service", 2),
    Topic("hospital", "医療機関一覧", "Medical institutions",
          ("{m}内の病院・診療所・歯科診療所の一覧です。",
           "診療科目、病床数、救急告示の有無を含みます。"),
          "Hospitals and clinics with departments and number of beds.",
          ("医療", "病院", "推奨データセット"), "shakaihosho-eisei", "hospital", 3),
    Topic("cultural", "文化財一覧", "Cultural properties",
          ("{m}内の国・県・市指定文化財の一覧です。", "名称、種別、指定年月日、所在地を含みます。"),
          "Designated cultural properties with type, date of designation and location.",
          ("文化財", "歴史", "推奨データセット"), "kyoiku-bunka-seikatsu", "cultural_property", 3,
          "none"),
    Topic("tourism", "観光施設一覧", "Tourist facilities",
          ("{m}の主な観光施設の一覧です。", "営業時間、駐車場、トイレの有無を含みます。"),
          "Main tourist facilities with opening hours, parking and toilets.",
          ("観光", "推奨データセット"), "unyu-kanko", "tourism", 3, "none"),
    Topic("event", "イベント一覧", "Events",
          ("{m}が主催または後援するイベントの一覧です。", "観光イベントや子育て講座を含みます。"),
          "Events organised or supported by the municipality, incl. tourism events.",
          ("イベント", "推奨データセット"), "kyoiku-bunka-seikatsu", "event", 2),
    Topic("wifi", "公衆無線LANアクセスポイント一覧", "Public wireless LAN access points",
          ("{m}が提供する公衆無線LAN（Wi-Fi）のアクセスポイント一覧です。",
           "SSID、設置場所、利用可能時間を含みます。"),
          "Public Wi-Fi access points with SSID, location and hours.",
          ("WiFi", "無線LAN", "推奨データセット"), "joho-tsushin-kagaku", "public_wireless_lan", 3),
    Topic("toilet", "公衆トイレ一覧", "Public toilets",
          ("{m}が管理する公衆トイレの一覧です。",
           "多目的トイレ、オストメイト対応、おむつ交換台の有無を含みます。"),
          "Public toilets with accessible toilets, ostomate facilities and baby-changing tables.",
          ("トイレ", "バリアフリー", "推奨データセット"), "kyoiku-bunka-seikatsu", "public_toilet", 3),
    Topic("hydrant", "消防水利施設一覧", "Fire-fighting water sources",
          ("{m}内の消火栓・防火水槽など消防水利施設の一覧です。",),
          "Fire hydrants and fire-fighting water tanks.",
          ("消防", "防災", "推奨データセット"), "shiho-anzen-kankyo", "fire_hydrant", 2),
    Topic("evac_space", "指定緊急避難場所一覧", "Designated emergency evacuation sites",
          ("災害対策基本法に基づき{m}が指定した指定緊急避難場所の一覧です。",
           "洪水、土砂災害、地震、津波など災害種別ごとの適否を含みます。"),
          "Designated emergency evacuation sites and the hazards each is suitable for.",
          ("防災", "避難場所", "推奨データセット"), "shiho-anzen-kankyo", "evacuation_space", 4),
    Topic("population", "地域・年齢別人口", "Population by area and age",
          ("住民基本台帳に基づく{m}の町丁字別・年齢別人口です。", "外国人住民を含みます。"),
          "Population by district and age from the basic resident register.",
          ("人口", "統計", "推奨データセット"), "jinko-setai", "population", 4, "asof"),
    Topic("facility", "公共施設一覧", "Public facilities",
          ("{m}が所有・管理する公共施設の一覧です。", "指定避難所を兼ねる施設は備考欄に記載しています。"),
          "Public facilities owned or managed by the municipality.",
          ("公共施設", "推奨データセット"), "gyozaisei", "public_facility", 3),
    Topic("childcare", "子育て施設一覧", "Childcare facilities",
          ("{m}内の保育園、認定こども園、幼稚園、子育て支援センターの一覧です。",
           "定員と対象年齢を含みます。"),
          "Nursery schools, kindergartens and childcare support centres.",
          ("子育て", "保育", "推奨データセット"), "shakaihosho-eisei", "preschool", 3),
    Topic("opendata_list", "オープンデータ一覧", "Open data list",
          ("{m}が公開しているオープンデータの一覧です。",),
          "List of the municipality's open datasets.",
          ("オープンデータ", "推奨データセット"), "gyozaisei", "opendata_list", 1, "none"),
    Topic("food", "食品等営業許可・届出一覧", "Food business licences and notifications",
          ("食品衛生法に基づく{m}内の営業許可・届出施設の一覧です。",),
          "Food business licences and notifications under the Food Sanitation Act.",
          ("食品衛生", "推奨データセット"), "shakaihosho-eisei", "food_business_license", 1),
    Topic("lunch", "学校給食献立情報", "School lunch menus",
          ("{m}立小中学校の学校給食の献立とアレルギー情報です。",),
          "School lunch menus and allergen information.",
          ("給食", "教育", "推奨データセット"), "kyoiku-bunka-seikatsu", "none", 2, "month"),
    # Other topics municipal catalogues publish.
    Topic("shelter", "指定避難所一覧", "Designated shelters",
          ("{m}が指定した指定避難所の一覧です。", "収容人数、福祉避難所の指定の有無を含みます。"),
          "Designated shelters with capacity; welfare shelters marked.",
          ("防災", "避難所"), "shiho-anzen-kankyo", weight=3),
    Topic("hazard", "洪水ハザードマップ", "Flood hazard map",
          ("想定最大規模降雨による{m}の洪水浸水想定区域と避難経路を示したハザードマップです。",),
          "Flood inundation areas and evacuation routes.",
          ("防災", "ハザードマップ"), "shiho-anzen-kankyo", weight=2, dated="none"),
    Topic("support", "避難行動要支援者支援制度", "Support for people needing help to evacuate",
          ("{m}の避難行動要支援者名簿の登録者数（地区別）です。",),
          "Number of registered people needing help to evacuate, by district.",
          ("防災", "福祉"), "shiho-anzen-kankyo", weight=1),
    Topic("road", "緊急輸送道路一覧", "Emergency transport roads",
          ("地震発生時に{m}内で緊急車両の通行を確保する緊急輸送道路の一覧です。",),
          "Roads designated for emergency transport after an earthquake.",
          ("防災", "道路"), "shiho-anzen-kankyo", weight=1, dated="none"),
    Topic("pop_change", "人口動態", "Vital statistics",
          ("{m}の出生・死亡・転入・転出の月別件数です。",),
          "Births, deaths and migration per month.",
          ("人口", "統計"), "jinko-setai", weight=2, dated="month"),
    Topic("households", "世帯数・人口（町丁字別）", "Households and population by district",
          ("{m}の町丁字別の世帯数と男女別人口です。",),
          "Households and population by district and sex.",
          ("世帯", "統計"), "jinko-setai", weight=2, dated="asof"),
    Topic("clinic_night", "休日夜間当番医", "Holiday and night duty doctors",
          ("{m}の休日・夜間に診療する当番医療機関の一覧です。", "救急の際は119番へ。"),
          "Clinics on holiday and night duty.",
          ("医療", "救急"), "shakaihosho-eisei", weight=1, dated="month"),
    Topic("nursery_vacancy", "保育園の空き状況", "Nursery school vacancies",
          ("{m}内の認可保育園・認定こども園の年齢別空き状況です。",),
          "Vacancies at licensed nursery schools by age.",
          ("子育て", "保育"), "shakaihosho-eisei", weight=2, dated="month"),
    # Kuromoji reads 認可保育園 in running text as 認可/保育/園 (see bench/search/README.md).
    Topic("licensed_nursery", "認可保育園一覧", "Licensed nursery schools",
          ("{m}内の認可保育園の所在地、定員、開所時間の一覧です。",),
          "Licensed nursery schools with address, capacity and opening hours.",
          ("子育て", "保育"), "shakaihosho-eisei", weight=1),
    Topic("kosodate_center", "地域子育て支援拠点一覧", "Local childcare support centres",
          ("{m}内の地域子育て支援拠点（子育て広場）の一覧です。",),
          "Local childcare support centres.",
          ("子育て",), "shakaihosho-eisei", weight=1),
    Topic("tourists", "観光客数の推移", "Number of tourists",
          ("{m}の主要観光地別の観光客数（年別）です。", "岡山県観光客動態調査によります。"),
          "Number of tourists per main sight and year.",
          ("観光", "統計"), "unyu-kanko", weight=2),
    Topic("heritage_walk", "文化財めぐりマップ", "Heritage walking map",
          ("{m}の指定文化財と史跡を巡る散策ルートです。", "ルート沿いのトイレと駐車場を示しています。"),
          "Walking routes past designated cultural properties and historic sites.",
          ("文化財", "観光"), "kyoiku-bunka-seikatsu", weight=1, dated="none"),
    Topic("park", "都市公園一覧", "City parks",
          ("{m}が管理する都市公園の一覧です。", "面積、遊具、トイレの有無を含みます。"),
          "City parks with area, playground equipment and toilets.",
          ("公園",), "jutaku-tochi-kensetsu", weight=2),
    Topic("garbage", "ごみ収集日程", "Waste collection calendar",
          ("{m}の地区別ごみ収集日程です。", "燃やせるごみ、資源ごみ、粗大ごみの収集日を含みます。"),
          "Waste collection days by district.",
          ("ごみ", "環境"), "shiho-anzen-kankyo", weight=2),
    Topic("budget", "当初予算の概要", "Budget overview",
          ("{m}の一般会計・特別会計の当初予算の概要です。",),
          "Overview of the initial budget.",
          ("財政",), "gyozaisei", weight=1),
    Topic("bus", "コミュニティバス停留所一覧", "Community bus stops",
          ("{m}のコミュニティバスの停留所と時刻表です。", "GTFS形式でも公開しています。"),
          "Community bus stops and timetables, also as GTFS.",
          ("交通", "バス"), "unyu-kanko", weight=2),
    Topic("library", "図書館の利用状況", "Library usage",
          ("{m}立図書館の貸出冊数と利用者数です。",),
          "Loans and visitors of the municipal libraries.",
          ("図書館", "教育"), "kyoiku-bunka-seikatsu", weight=1),
    Topic("school", "小中学校一覧", "Primary and junior high schools",
          ("{m}立小中学校の一覧です。", "児童生徒数と学級数を含みます。"),
          "Municipal primary and junior high schools with pupils and classes.",
          ("教育", "学校"), "kyoiku-bunka-seikatsu", weight=1),
    Topic("parking", "駐輪場・駐車場一覧", "Bicycle and car parks",
          ("{m}の市営駐輪場・駐車場の一覧です。",),
          "Municipal bicycle and car parks.",
          ("交通",), "unyu-kanko", weight=1),
    # Topics of the citizen queries (issue 14): each names its subject one way only, so a
    # variant spelling or a synonym must be bridged by the search, not by the data.
    Topic("akiya", "空き家バンク物件一覧", "Vacant house bank",
          ("{m}の空き家バンクに登録された物件の所在地と間取りです。",),
          "Vacant houses registered in the municipality's vacant house bank.",
          ("空き家", "住宅"), "jutaku-tochi-kensetsu", weight=1),
    Topic("river", "河川水位観測データ", "River water levels",
          ("{m}内の主要河川の水位を10分ごとに観測したデータです。",),
          "River water levels observed every ten minutes.",
          ("防災", "河川"), "kokudo-kisho", weight=1, dated="month"),
    Topic("rain", "雨量と河川の水位", "Rainfall and river levels",
          ("{m}の雨量観測所ごとの時間雨量です。", "河川の水位は観測所ごとに掲載しています。"),
          "Hourly rainfall per gauge, and river levels.",
          ("防災", "気象"), "kokudo-kisho", weight=1, dated="month"),
    Topic("hoikusho", "保育所一覧", "Nursery schools",
          ("{m}内の認可保育所の所在地、定員、延長保育の有無です。",),
          "Licensed nursery schools with address and capacity.",
          ("子育て", "保育"), "shakaihosho-eisei", weight=1),
    Topic("dayservice", "通所介護事業所一覧", "Day care services for the elderly",
          ("{m}内の通所介護事業所の名称、所在地、定員です。",),
          "Day care service providers with address and capacity.",
          ("介護", "福祉"), "shakaihosho-eisei", weight=1),
    Topic("kodomo_shokudo", "子ども食堂一覧", "Children's cafeterias",
          ("{m}内の子ども食堂の開催日と場所です。",),
          "Community cafeterias for children.",
          ("子育て", "福祉"), "shakaihosho-eisei", weight=1, dated="none"),
    Topic("playground", "子供の遊び場マップ", "Children's playgrounds",
          ("{m}内の児童遊園と子供の遊び場の位置です。",),
          "Playgrounds for children.",
          ("子育て", "公園"), "kyoiku-bunka-seikatsu", weight=1, dated="none"),
    Topic("kodomo110", "こども110番の家一覧", "Children's emergency refuges",
          ("登下校中のこどもが助けを求められる{m}内の「こども110番の家」の一覧です。",),
          "Houses and shops where children can ask for help.",
          ("防犯", "子育て"), "shiho-anzen-kankyo", weight=1),
    Topic("wheelchair", "車椅子貸出施設一覧", "Wheelchair lending",
          ("{m}の公共施設で貸し出している車椅子の台数です。",),
          "Public facilities lending wheelchairs.",
          ("福祉", "バリアフリー"), "shakaihosho-eisei", weight=1),
    Topic("gomi_station", "ゴミステーション一覧", "Waste collection points",
          ("{m}内のゴミステーションの位置と収集曜日です。",),
          "Waste collection points and collection days.",
          ("環境",), "shiho-anzen-kankyo", weight=1, dated="none"),
]

EXTRA_SENTENCES = [
    "データは毎年4月1日時点で更新します。",
    "位置情報は世界測地系（緯度経度）です。",
    "ご利用の際は利用規約をご確認ください。",
    "CSV形式（UTF-8）で提供しています。",
    "前年度のデータは過去データとして掲載しています。",
    "内容に誤りがあれば担当課までご連絡ください。",
    # Sentences that touch other concepts, so relevance is not just "the topic".
    "災害時の避難所運営に活用できます。",
    "人口10万人あたりの件数も掲載しています。",
    "観光客向けの情報も含みます。",
    "緊急時の連絡先を併記しています。",
]

EXTRA_SENTENCES_EN = [
    "Updated every April.",
    "Coordinates are WGS84.",
    "Includes information for tourists.",
    "Provided as CSV (UTF-8).",
]

FORMATS = [("CSV", "csv", 6), ("XLSX", "xlsx", 2), ("PDF", "pdf", 2), ("JSON", "json", 1)]

REIWA = {2019: "令和元年", 2020: "令和2年", 2021: "令和3年", 2022: "令和4年",
         2023: "令和5年", 2024: "令和6年", 2025: "令和7年"}

# The queries of the bench, with what makes a dataset relevant to each.
# Japanese: the query as a substring of the dataset's Japanese text.
# English: a word pattern over the dataset's text (plural/inflection allowed).
JAPANESE_QUERIES = [
    "避難", "トイレ", "人口", "緊急", "避難所", "医療機関", "子育て", "文化財", "観光",
    "保育園", "給食", "消防", "無線LAN", "ハザードマップ", "年齢",
]
# Letters, not \b, delimit words: "_" and digits separate words in slugs and choice values.
ENGLISH_QUERIES = {
    "toilet": "toilets?",
    "evacuation": "evacuat(e|es|ed|ing|ion|ions)",  # the stemmer's equivalence
    "population": "population",
    "access point": "access[ _-]points?",
    "tourist": "tourists?",
    "childcare": "childcare",
    "cultural property": "cultural[ _-]propert(y|ies)",
    "hospital": "hospitals?",
    "wi-fi": "wi-?fi",
    "budget": "budgets?",
}


# Queries written the way citizens type them (issue 14), by kind, each with what the
# person means, written here by hand (never read from the Solr synonym file):
#   reading:  kana for the kanji words it reads as (ひなん → 避難)
#   variant:  another spelling or width of the same word (子供 → 子ども, 子供, こども)
#   synonym:  another word for the same thing (デイサービス → 通所介護)
#   words:    several words, with or without a space between them
#   typo:     a wrong kanji conversion or a slip (非難所 → 避難所); measured by where the
#             「もしかして」 leads, since a search for the slip itself finds little
#   category: one of the 17 category names; relevant = the datasets of that category
# The intent is a list of groups of written forms: a dataset is relevant when its text
# contains one form of every group (case-insensitive).
C = "category"
CITIZEN_QUERIES: dict[str, tuple[str, object]] = {
    # readings
    "ひなん": ("reading", [["避難"]]),
    "ひなんじょ": ("reading", [["避難所"]]),
    "ほいくしょ": ("reading", [["保育所"]]),
    "ほいくえん": ("reading", [["保育園"]]),
    "としょかん": ("reading", [["図書館"]]),
    "あきや": ("reading", [["空き家"]]),
    "こうえん": ("reading", [["公園"]]),
    "かんこう": ("reading", [["観光"]]),
    "ぶんかざい": ("reading", [["文化財"]]),
    "きゅうしょく": ("reading", [["給食"]]),
    "しょうぼう": ("reading", [["消防"]]),
    "じんこう": ("reading", [["人口"]]),
    "こそだて": ("reading", [["子育て"]]),
    "はざーどまっぷ": ("reading", [["ハザードマップ"]]),
    "といれ": ("reading", [["トイレ"]]),
    "かいご": ("reading", [["介護"]]),
    "トショカン": ("reading", [["図書館"]]),
    "くらしき こうえん": ("reading", [["倉敷"], ["公園"]]),
    "倉敷 ほいくえん": ("reading", [["倉敷"], ["保育園"]]),
    # variant spellings and widths
    "子供": ("variant", [["子ども", "子供", "こども"]]),
    "こども": ("variant", [["子ども", "子供", "こども"]]),
    "子ども": ("variant", [["子ども", "子供", "こども"]]),
    "ゴミ": ("variant", [["ごみ", "ゴミ"]]),
    "ごみ": ("variant", [["ごみ", "ゴミ"]]),
    "車いす": ("variant", [["車いす", "車椅子", "車イス"]]),
    "空家": ("variant", [["空き家", "空家"]]),
    "ＡＥＤ": ("variant", [["AED", "自動体外式除細動器"]]),
    "ﾄｲﾚ": ("variant", [["トイレ"]]),
    "Ｗｉ－Ｆｉ": ("variant", [["Wi-Fi", "WiFi", "無線LAN"]]),
    # synonyms
    "保育所": ("synonym", [["保育所", "保育園"]]),
    "Wi-Fi": ("synonym", [["Wi-Fi", "WiFi", "無線LAN"]]),
    "AED": ("synonym", [["AED", "自動体外式除細動器"]]),
    "自動体外式除細動器": ("synonym", [["AED", "自動体外式除細動器"]]),
    "デイサービス": ("synonym", [["デイサービス", "通所介護"]]),
    "通所介護": ("synonym", [["デイサービス", "通所介護"]]),
    "バリアフリートイレ": ("synonym", [["多目的トイレ", "多機能トイレ", "バリアフリートイレ"]]),
    "多機能トイレ": ("synonym", [["多目的トイレ", "多機能トイレ", "バリアフリートイレ"]]),
    "避難場所": ("synonym", [["避難所", "避難場所", "避難先"]]),
    "防災マップ": ("synonym", [["ハザードマップ", "防災マップ"]]),
    "病院": ("synonym", [["病院", "医療機関"]]),
    "クリニック": ("synonym", [["クリニック", "診療所"]]),
    "バス停": ("synonym", [["バス停", "バス停留所", "停留所"]]),
    "ごみカレンダー": ("synonym", [["ごみカレンダー", "ごみ収集日程", "ごみ収集カレンダー"]]),
    "育児": ("synonym", [["育児", "子育て"]]),
    "催し": ("synonym", [["イベント", "催し", "行事"]]),
    "自転車置き場": ("synonym", [["駐輪場", "自転車置き場", "自転車駐車場"]]),
    "消火栓": ("synonym", [["消火栓", "消防水利"]]),
    "観光スポット": ("synonym", [["観光施設", "観光スポット", "観光地", "名所"]]),
    "小学校": ("synonym", [["小学校", "小中学校"]]),
    # several words
    "河川水位": ("words", [["河川"], ["水位"]]),
    "河川 水位": ("words", [["河川"], ["水位"]]),
    "倉敷 避難場所": ("words", [["倉敷"], ["避難所", "避難場所", "避難先"]]),
    "倉敷市避難所": ("words", [["倉敷市"], ["避難所", "避難場所", "避難先"]]),
    "総社 トイレ": ("words", [["総社"], ["トイレ"]]),
    "子育て支援": ("words", [["子育て"], ["支援"]]),
    "観光客 推移": ("words", [["観光客"], ["推移"]]),
    "高梁 文化財": ("words", [["高梁"], ["文化財"]]),
    "井原 人口": ("words", [["井原"], ["人口"]]),
    "笠岡 保育所": ("words", [["笠岡"], ["保育所", "保育園"]]),
    "公園 トイレ": ("words", [["公園"], ["トイレ"]]),
    "介護事業所": ("words", [["介護"], ["事業所"]]),
    # slips; what the person means is what the corrected word means above (避難場所 and
    # 避難所 are one intent there, as are 保育所 and 保育園)
    "避難揚所": ("typo", [["避難所", "避難場所", "避難先"]]),
    "非難所": ("typo", [["避難所", "避難場所", "避難先"]]),
    "保育書": ("typo", [["保育所", "保育園"]]),
    "図書感": ("typo", [["図書館"]]),
    "ハザードマッブ": ("typo", [["ハザードマップ"]]),
    "ごみしゅうしゅ": ("typo", [["ごみ収集"]]),
    # category names
    "運輸・観光": (C, "unyu-kanko"),
    "人口・世帯": (C, "jinko-setai"),
    "社会保障・衛生": (C, "shakaihosho-eisei"),
    "司法・安全・環境": (C, "shiho-anzen-kankyo"),
    "教育・文化・スポーツ・生活": (C, "kyoiku-bunka-seikatsu"),
    "住宅・土地・建設": (C, "jutaku-tochi-kensetsu"),
}
assert not set(CITIZEN_QUERIES) & set(JAPANESE_QUERIES)


def _weighted(rng: random.Random, items, weight):
    return rng.choices(items, weights=[weight(x) for x in items], k=1)[0]


def _dated_suffix(rng: random.Random, topic: Topic) -> str:
    year = rng.choice(list(REIWA))
    if topic.dated == "year":
        return rng.choice([f"（{REIWA[year]}度）", f"（{year}年度）", ""])
    if topic.dated == "asof":
        month = rng.choice([3, 4, 9, 10])
        return rng.choice([f" {year}年{month}月末", f"（{REIWA[year]}{month}月1日現在）"])
    if topic.dated == "month":
        return f" {year}年{rng.randint(1, 12)}月"
    return ""


def dataset(i: int, seed: int = 0) -> dict:
    """The i-th dataset: a package_create data dict (scheming fields included)."""
    rng = random.Random(f"{seed}:{i}")
    org, m, m_en, host, _w = _weighted(rng, MEMBERS, lambda x: x[4])
    topic = _weighted(rng, TOPICS, lambda t: t.weight)
    suffix = _dated_suffix(rng, topic)

    english_only = rng.random() < 0.08  # a few catalogues title some datasets in English
    if english_only:
        title = f"{m_en} {topic.title_en}"
        notes = topic.notes_en + " " + rng.choice(EXTRA_SENTENCES_EN)
    else:
        pattern = rng.choice(["{m} {t}{s}", "{m} {t}{s}", "{t}（{m}）{s}", "{m}{t}{s}", "{t}{s}"])
        title = pattern.format(m=m, t=topic.title, s=suffix).strip()
        sentences = [s.format(m=m) for s in topic.notes]
        sentences += rng.sample(EXTRA_SENTENCES, k=rng.randint(0, 2))
        notes = "".join(sentences)

    d = {
        "name": f"{org}-{topic.key.replace('_', '-')}-{i:05d}",
        "title": title,
        "notes": notes,
        "owner_org": org,
        "category": topic.category,
        "standard_dataset": topic.standard,
        "license_id": rng.choice(["cc-by-4.0"] * 5 + ["pdl-1.0", "cc0-1.0", "gsl-2.0"]),
        "tags": [{"name": t} for t in topic.tags[: rng.randint(1, len(topic.tags))]],
        "url": f"https://{host}/opendata/{topic.key}.html",
        "contact_name": f"{m} 企画課",
    }
    if not english_only and rng.random() < 0.4:
        d["title_en"] = f"{m_en} {topic.title_en}"
        if rng.random() < 0.5:
            d["notes_en"] = topic.notes_en
    resources = []
    for n in range(rng.choices([1, 2, 3], weights=[5, 3, 1])[0]):
        fmt, ext, _ = _weighted(rng, FORMATS, lambda f: f[2])
        base = title if english_only else topic.title
        resources.append({
            "name": f"{base}（{fmt}）" if n == 0 else f"{base} 項目定義書（{fmt}）",
            "url": f"https://{host}/opendata/{topic.key}-{i:05d}-{n}.{ext}",
            "format": fmt,
        })
    d["resources"] = resources
    return d


def generate(n: int, seed: int = 0) -> list[dict]:
    return [dataset(i, seed) for i in range(n)]


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _text(d: dict) -> str:
    # The whole record: titles, notes, tags, resources, and also the slug, URLs and
    # choice values (standard_dataset "evacuation_space"), which CKAN indexes too.
    return "\n".join(_strings(d))


def relevant(datasets: list[dict], query: str) -> set[str]:
    """Names of the datasets about ``query`` (the ground truth of recall and precision)."""
    if query in ENGLISH_QUERIES:
        pattern = re.compile(f"(?<![a-z]){ENGLISH_QUERIES[query]}(?![a-z])", re.IGNORECASE)
        return {d["name"] for d in datasets if pattern.search(_text(d))}
    if query in CITIZEN_QUERIES:
        kind, intent = CITIZEN_QUERIES[query]
        if kind == "category":
            return {d["name"] for d in datasets if d["category"] == intent}
        groups = [[form.lower() for form in group] for group in intent]
        return {d["name"] for d in datasets
                if all(any(form in text for form in group) for group in groups
                       for text in [_text(d).lower()])}
    return {d["name"] for d in datasets if query in _text(d)}


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    print(json.dumps(generate(n), ensure_ascii=False, indent=1))
