"""Generate the demo CSVs in ckanext/regionaliot/seed/demo/ (fictitious rows, legacy 推奨データセット columns).

Deterministic (fixed seed), so re-running rewrites identical files:

    .venv/bin/python deploy/dev/generate_demo_csv.py

Columns follow japan-open-data-standards.md §1.4 in order; every row's 備考 says the
row is fictitious. Phone numbers use a "00" exchange, which is never assigned in
Japan, so no real line is printed.
"""
from __future__ import annotations

import csv
import json
import random
from pathlib import Path

from regionaliot.validation import lgcode

# A development tool, not part of the installed package: it writes the seed's demo files.
ROOT = Path(__file__).resolve().parents[2]
SEED_DIR = ROOT / "ckanext-regionaliot" / "ckanext" / "regionaliot" / "seed"
DEMO_DIR = SEED_DIR / "demo"
SEED = 20150327  # 連携協約 signing date
NOTE = "架空のデモデータ"

# 町名 and readings per member, for plausible addresses and 名称_カナ.
TOWNS = {
    "kurashiki": [("阿知", "アチ"), ("玉島", "タマシマ"), ("児島", "コジマ"), ("水島", "ミズシマ"),
                  ("連島", "ツラジマ"), ("中庄", "ナカショウ"), ("船穂", "フナオ"), ("真備", "マビ")],
    "kasaoka": [("笠岡", "カサオカ"), ("富岡", "トミオカ"), ("金浦", "カナウラ"), ("大井", "オオイ"),
                ("神島", "コウノシマ"), ("北木島", "キタギシマ")],
    "ibara": [("井原", "イバラ"), ("西江原", "ニシエバラ"), ("芳井", "ヨシイ"), ("美星", "ビセイ"),
              ("高屋", "タカヤ")],
    "soja": [("総社", "ソウジャ"), ("清音", "キヨネ"), ("山手", "ヤマテ"), ("昭和", "ショウワ"),
             ("服部", "ハットリ"), ("常盤", "トキワ")],
    "takahashi": [("高梁", "タカハシ"), ("成羽", "ナリワ"), ("川上", "カワカミ"), ("有漢", "ウカン"),
                  ("備中", "ビッチュウ"), ("落合", "オチアイ")],
    "niimi": [("新見", "ニイミ"), ("大佐", "オオサ"), ("神郷", "シンゴウ"), ("哲多", "テッタ"),
              ("哲西", "テッセイ")],
    "asakuchi": [("鴨方", "カモガタ"), ("金光", "コンコウ"), ("寄島", "ヨリシマ")],
    "hayashima": [("早島", "ハヤシマ"), ("前潟", "マエガタ"), ("若宮", "ワカミヤ"), ("矢尾", "ヤオ")],
    "satosho": [("里見", "サトミ"), ("新庄", "シンジョウ"), ("浜中", "ハマナカ")],
    "yakage": [("矢掛", "ヤカゲ"), ("小田", "オダ"), ("三谷", "ミタニ"), ("川面", "カワモ")],
}
AREA_CODE = {
    "kurashiki": "086", "kasaoka": "0865", "ibara": "0866", "soja": "0866", "takahashi": "0866",
    "niimi": "0867", "asakuchi": "0865", "hayashima": "086", "satosho": "0865", "yakage": "0866",
}

COLUMNS = {
    "aed": "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,住所,方書,緯度,経度,設置位置,電話番号,内線番号,法人番号,団体名,利用可能曜日,開始時間,終了時間,利用可能日時特記事項,小児対応設備の有無,URL,備考",
    "care_service": "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,介護サービス事業所名称,介護サービス事業所名称_カナ,実施サービス,住所,方書,緯度,経度,電話番号,内線番号,FAX番号,法人番号,法人の名称,事業所番号,利用可能曜日,利用可能曜日特記事項,定員,URL,備考",
    "hospital": "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,医療機関の種類,住所,方書,緯度,経度,電話番号,内線番号,FAX番号,法人番号,法人の名称,医療機関コード,診療曜日,診療開始時間,診療終了時間,診療日時特記事項,時間外における対応,診療科目,病床数,URL,備考",
    "cultural_property": "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,名称_通称,名称_英語,文化財分類,種類,場所名称,住所,方書,緯度,経度,電話番号,内線番号,員数（数）,員数（単位）,法人番号,所有者等,文化財指定日,利用可能曜日,開始時間,終了時間,利用可能日時特記事項,画像,画像_ライセンス,概要,概要_英語,説明,説明_英語,URL,備考",
    "tourism": "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,名称_英語,POIコード,住所,方書,緯度,経度,利用可能曜日,開始時間,終了時間,利用可能日時特記事項,料金(基本),料金(詳細),説明,説明_英語,アクセス方法,駐車場情報,バリアフリー情報,連絡先名称,連絡先電話番号,連絡先内線番号,画像,画像_ライセンス,URL,備考",
    "event": "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,イベント名,イベント名_カナ,イベント名_英語,開始日,終了日,開始時間,終了時間,開始日時特記事項,説明,料金(基本),料金(詳細),連絡先名称,連絡先電話番号,連絡先内線番号,主催者,場所名称,住所,方書,緯度,経度,アクセス方法,駐車場情報,定員,参加申込終了日,参加申込終了時間,参加申込方法,URL,備考",
    "public_wireless_lan": "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,名称_英語,住所,方書,緯度,経度,設置者,電話番号,内線番号,SSID,提供エリア,URL,備考",
    "public_toilet": "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,名称_英語,住所,方書,設置位置,緯度,経度,男性トイレ総数,男性トイレ数（小便器）,男性トイレ数（和式）,男性トイレ数（洋式）,女性トイレ総数,女性トイレ数（和式）,女性トイレ数（洋式）,男女共用トイレ総数,男女共用トイレ数（和式）,男女共用トイレ数（洋式）,多機能トイレ数,車椅子使用者用トイレ有無,乳幼児用設備設置トイレ有無,オストメイト設置トイレ有無,利用開始時間,利用終了時間,利用可能時間特記事項,画像,画像_ライセンス,備考",
    "fire_hydrant": "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,種別,住所,方書,緯度,経度,口径,備考",
    "evacuation_space": "NO,名称,名称_カナ,住所,方書,緯度,経度,標高,電話番号,内線番号,市区町村コード,都道府県名,市区町村名,災害種別_洪水,災害種別_崖崩れ、土石流及び地滑り,災害種別_高潮,災害種別_地震,災害種別_津波,災害種別_大規模な火事,災害種別_内水氾濫,災害種別_火山現象,指定避難所との重複,想定収容人数,対象となる町会・自治会,URL,備考",
    "population": "都道府県コード又は市区町村コード,地域コード,都道府県名,市区町村名,調査年月日,地域名,総人口,男性,女性,"
    + ",".join(f"{i}-{i + 4}歳の{sex}" for i in range(0, 85, 5) for sex in ("男性", "女性"))
    + ",85歳以上の男性,85歳以上の女性,世帯数,備考",
    "public_facility": "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,名称_通称,POIコード,住所,方書,緯度,経度,電話番号,内線番号,法人番号,団体名,利用可能曜日,開始時間,終了時間,利用可能日時特記事項,説明,バリアフリー情報,URL,備考",
    "preschool": "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,種別,住所,方書,緯度,経度,アクセス方法,駐車場情報,電話番号,内線番号,FAX番号,法人番号,団体名,認可等年月日,収容定員,受入年齢,利用可能曜日,開始時間,終了時間,利用可能日時特記事項,一時預かりの有無,URL,備考",
    "opendata_list": "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,データ名称,データ概要,データ形式,分類,更新頻度,URL,API対応有無,ライセンス,登録日,最終更新日,備考",
}
COLUMNS = {k: v.split(",") for k, v in COLUMNS.items()}


class Member:
    def __init__(self, org: dict, rng: random.Random):
        self.org = org
        self.rng = rng
        self.name = org["name"]
        self.city = org["title"]
        self.code = org["lg_code"]
        self.lon, self.lat = org["center"]
        self.towns = TOWNS[self.name]

    def common(self, no: int) -> dict:
        return {"都道府県コード又は市区町村コード": self.code, "NO": f"{no:010d}",
                "都道府県名": "岡山県", "市区町村名": self.city, "備考": NOTE}

    def town(self):
        return self.rng.choice(self.towns)

    def address(self, town: str) -> str:
        return f"岡山県{self.city}{town}{self.rng.randint(1, 2999)}番地"

    def point(self) -> dict:
        r = self.rng
        return {"緯度": f"{self.lat + r.uniform(-0.02, 0.02):.6f}",
                "経度": f"{self.lon + r.uniform(-0.02, 0.02):.6f}"}

    def phone(self) -> str:
        # Exchange "00" is never assigned, so these numbers reach nobody.
        return f"{AREA_CODE[self.name]}-00-{self.rng.randint(0, 9999):04d}"

    def url(self, path: str) -> str:
        return f"https://www.example.jp/{self.name}/{path}"


def _aed(m: Member, n: int):
    places = [("公民館", "コウミンカン", "1階ロビー"), ("小学校", "ショウガッコウ", "職員室前"),
              ("中学校", "チュウガッコウ", "体育館入口"), ("体育館", "タイイクカン", "正面玄関"),
              ("図書館", "トショカン", "カウンター横"), ("支所", "シショ", "1階窓口")]
    for i in range(1, n + 1):
        (town, kana), (kind, kkana, spot) = m.town(), m.rng.choice(places)
        yield {**m.common(i), "名称": f"{town}{kind}", "名称_カナ": f"{kana}{kkana}",
               "住所": m.address(town), **m.point(), "設置位置": spot, "電話番号": m.phone(),
               "団体名": m.city, "利用可能曜日": "月火水木金", "開始時間": "08:30", "終了時間": "17:15",
               "小児対応設備の有無": m.rng.choice(["有", "無"])}


def _evacuation_space(m: Member, n: int):
    places = [("小学校", "ショウガッコウ"), ("中学校", "チュウガッコウ"), ("公民館", "コウミンカン"),
              ("運動公園", "ウンドウコウエン"), ("高等学校", "コウトウガッコウ")]
    for i in range(1, n + 1):
        (town, kana), (kind, kkana) = m.town(), m.rng.choice(places)
        flags = {k: m.rng.choice(["1", "1", ""]) for k in (
            "災害種別_洪水", "災害種別_崖崩れ、土石流及び地滑り", "災害種別_高潮", "災害種別_地震",
            "災害種別_津波", "災害種別_大規模な火事", "災害種別_内水氾濫")}
        yield {"NO": f"{i:010d}", "名称": f"{town}{kind}", "名称_カナ": f"{kana}{kkana}",
               "住所": m.address(town), **m.point(), "標高": f"{m.rng.uniform(1, 40):.1f}",
               "電話番号": m.phone(), "市区町村コード": m.code, "都道府県名": "岡山県",
               "市区町村名": m.city, **flags, "災害種別_火山現象": "",
               "指定避難所との重複": m.rng.choice(["1", ""]),
               "想定収容人数": str(m.rng.randrange(100, 1500, 50)),
               "対象となる町会・自治会": f"{town}地区", "備考": NOTE}


def _public_wireless_lan(m: Member, n: int):
    spots = [("駅前広場", "エキマエヒロバ", "Station square"), ("市民会館", "シミンカイカン", "Civic hall"),
             ("観光案内所", "カンコウアンナイジョ", "Tourist information centre"),
             ("図書館", "トショカン", "Library"), ("美観地区", "ビカンチク", "Historic quarter")]
    for i in range(1, n + 1):
        (town, kana), (kind, kkana, en) = m.town(), m.rng.choice(spots)
        yield {**m.common(i), "名称": f"{town}{kind}", "名称_カナ": f"{kana}{kkana}",
               "名称_英語": f"{en} ({m.org['title_en']})", "住所": m.address(town), **m.point(),
               "設置者": m.city, "電話番号": m.phone(), "SSID": f"{m.name.capitalize()}_Free_WiFi",
               "提供エリア": f"{kind}周辺", "URL": m.url("wifi")}


def _public_toilet(m: Member, n: int):
    places = [("公園", "コウエン"), ("駅前", "エキマエ"), ("運動広場", "ウンドウヒロバ"), ("駐車場", "チュウシャジョウ")]
    for i in range(1, n + 1):
        (town, kana), (kind, kkana) = m.town(), m.rng.choice(places)
        r = m.rng
        male_u, male_j, male_y = r.randint(1, 4), r.randint(0, 1), r.randint(1, 2)
        fem_j, fem_y = r.randint(0, 1), r.randint(1, 3)
        yield {**m.common(i), "名称": f"{town}{kind}公衆トイレ", "名称_カナ": f"{kana}{kkana}コウシュウトイレ",
               "住所": m.address(town), "設置位置": f"{kind}内", **m.point(),
               "男性トイレ総数": male_u + male_j + male_y, "男性トイレ数（小便器）": male_u,
               "男性トイレ数（和式）": male_j, "男性トイレ数（洋式）": male_y,
               "女性トイレ総数": fem_j + fem_y, "女性トイレ数（和式）": fem_j, "女性トイレ数（洋式）": fem_y,
               "男女共用トイレ総数": 0, "男女共用トイレ数（和式）": 0, "男女共用トイレ数（洋式）": 0,
               "多機能トイレ数": r.randint(0, 1), "車椅子使用者用トイレ有無": r.choice(["有", "無"]),
               "乳幼児用設備設置トイレ有無": r.choice(["有", "無"]),
               "オストメイト設置トイレ有無": r.choice(["有", "無"]),
               "利用開始時間": "06:00", "利用終了時間": "22:00"}


def _population(m: Member, n: int):
    bands = [f"{i}-{i + 4}" for i in range(0, 85, 5)] + ["85歳以上"]
    for i, (town, _kana) in enumerate(m.towns[:n], 1):
        row = {"都道府県コード又は市区町村コード": m.code, "地域コード": f"{m.code}{i:03d}",
               "都道府県名": "岡山県", "市区町村名": m.city, "調査年月日": "2025-03-31",
               "地域名": f"{town}地区", "備考": NOTE}
        males = females = 0
        for band in bands:
            label = band if band.endswith("以上") else f"{band}歳"
            mv, fv = m.rng.randint(40, 400), m.rng.randint(40, 420)
            row[f"{label}の男性"], row[f"{label}の女性"] = mv, fv
            males, females = males + mv, females + fv
        row.update({"総人口": males + females, "男性": males, "女性": females,
                    "世帯数": (males + females) * 10 // 23})
        yield row


def _public_facility(m: Member, n: int):
    kinds = [("公民館", "コウミンカン"), ("市民センター", "シミンセンター"), ("体育館", "タイイクカン"),
             ("図書館", "トショカン"), ("文化ホール", "ブンカホール")]
    for i in range(1, n + 1):
        (town, kana), (kind, kkana) = m.town(), m.rng.choice(kinds)
        yield {**m.common(i), "名称": f"{m.city}立{town}{kind}", "名称_カナ": f"{m.org['title_kana']}リツ{kana}{kkana}",
               "名称_通称": f"{town}{kind}", "住所": m.address(town), **m.point(), "電話番号": m.phone(),
               "団体名": m.city, "利用可能曜日": "火水木金土日", "開始時間": "09:00", "終了時間": "21:00",
               "利用可能日時特記事項": "月曜日休館（祝日の場合は翌日）", "説明": f"{town}地区の{kind}",
               "バリアフリー情報": "車椅子用スロープあり", "URL": m.url("facility")}


def _preschool(m: Member, n: int):
    kinds = [("保育園", "ホイクエン", "認可公立保育所"), ("幼稚園", "ヨウチエン", "公立幼稚園"),
             ("こども園", "コドモエン", "認定こども園（幼保連携型）")]
    for i in range(1, n + 1):
        (town, kana), (kind, kkana, cls) = m.town(), m.rng.choice(kinds)
        yield {**m.common(i), "名称": f"{town}{kind}", "名称_カナ": f"{kana}{kkana}", "種別": cls,
               "住所": m.address(town), **m.point(), "駐車場情報": "あり", "電話番号": m.phone(),
               "団体名": m.city, "認可等年月日": f"{m.rng.randint(1975, 2020)}-04-01",
               "収容定員": m.rng.randrange(30, 180, 10), "受入年齢": "0歳から5歳",
               "利用可能曜日": "月火水木金土", "開始時間": "07:30", "終了時間": "18:30",
               "一時預かりの有無": m.rng.choice(["有", "無"]), "URL": m.url("kosodate")}


def _tourism(m: Member, n: int):
    spots = [("鍾乳洞", "ショウニュウドウ", "Limestone cave"), ("渓谷", "ケイコク", "Gorge"),
             ("道の駅", "ミチノエキ", "Roadside station"), ("展望台", "テンボウダイ", "Observation deck"),
             ("温泉", "オンセン", "Hot spring")]
    for i in range(1, n + 1):
        (town, kana), (kind, kkana, en) = m.town(), m.rng.choice(spots)
        yield {**m.common(i), "名称": f"{town}{kind}", "名称_カナ": f"{kana}{kkana}",
               "名称_英語": f"{en} in {m.org['title_en']}", "住所": m.address(town), **m.point(),
               "利用可能曜日": "月火水木金土日", "開始時間": "09:00", "終了時間": "17:00",
               "料金(基本)": m.rng.choice([0, 300, 500, 1000]), "説明": f"{town}の{kind}",
               "説明_英語": f"A {en.lower()} in {m.org['title_en']}", "駐車場情報": "無料駐車場あり",
               "連絡先名称": f"{m.city}観光協会", "連絡先電話番号": m.phone(), "URL": m.url("kanko")}


def _cultural_property(m: Member, n: int):
    items = [("本陣", "ホンジン", "建造物", "重要文化財"), ("神社本殿", "ジンジャホンデン", "建造物", "県指定重要文化財"),
             ("仏像", "ブツゾウ", "美術工芸品", "町指定重要文化財"), ("獅子舞", "シシマイ", "芸能", "町指定無形民俗文化財")]
    for i in range(1, n + 1):
        (town, kana), (kind, kkana, cls, grade) = m.town(), m.rng.choice(items)
        yield {**m.common(i), "名称": f"{town}{kind}", "名称_カナ": f"{kana}{kkana}", "文化財分類": grade,
               "種類": cls, "住所": m.address(town), **m.point(), "員数（数）": 1, "員数（単位）": "件",
               "所有者等": f"{town}保存会", "文化財指定日": f"{m.rng.randint(1955, 2015)}-11-03",
               "概要": f"{town}に伝わる{kind}", "URL": m.url("bunkazai")}


def _fire_hydrant(m: Member, n: int):
    for i in range(1, n + 1):
        town, _kana = m.town()
        kind = m.rng.choice(["消火栓", "消火栓", "消火栓", "防火水そう", "河川・溝等"])
        yield {**m.common(i), "種別": kind, "住所": m.address(town), **m.point(),
               "口径": 75 if kind == "消火栓" else ""}


def _hospital(m: Member, n: int):
    kinds = [("病院", "ビョウイン", "病院"), ("内科医院", "ナイカイイン", "無床診療所"),
             ("クリニック", "クリニック", "無床診療所"), ("産婦人科", "サンフジンカ", "有床診療所")]
    for i in range(1, n + 1):
        (town, kana), (kind, kkana, cls) = m.town(), m.rng.choice(kinds)
        beds = m.rng.randint(50, 200) if cls == "病院" else (m.rng.randint(5, 19) if cls == "有床診療所" else 0)
        yield {**m.common(i), "名称": f"{town}{kind}", "名称_カナ": f"{kana}{kkana}", "医療機関の種類": cls,
               "住所": m.address(town), **m.point(), "電話番号": m.phone(), "診療曜日": "月火水金土",
               "診療開始時間": "09:00", "診療終了時間": "18:00", "診療日時特記事項": "土曜日は午前のみ",
               "診療科目": "内科" if cls != "有床診療所" else "産婦人科", "病床数": beds,
               "URL": m.url(f"iryo/{i}")}


def _event(m: Member, n: int):
    events = [("夏まつり", "ナツマツリ", "Summer festival", "07-20"), ("ぶどう狩り体験", "ブドウガリタイケン", "Grape picking", "09-07"),
              ("ふるさと祭り", "フルサトマツリ", "Hometown festival", "10-12"), ("健康ウォーク", "ケンコウウォーク", "Health walk", "11-03")]
    for i in range(1, n + 1):
        (town, kana), (name, nkana, en, day) = m.town(), events[(i - 1) % len(events)]
        yield {**m.common(i), "イベント名": f"{town}{name}", "イベント名_カナ": f"{kana}{nkana}",
               "イベント名_英語": f"{en} ({m.org['title_en']})", "開始日": f"2025-{day}", "終了日": f"2025-{day}",
               "開始時間": "10:00", "終了時間": "16:00", "説明": f"{town}で開催する{name}",
               "料金(基本)": 0, "連絡先名称": f"{m.city}産業建設課", "連絡先電話番号": m.phone(),
               "主催者": m.city, "場所名称": f"{town}広場", "住所": m.address(town), **m.point(),
               "URL": m.url("event")}


def _care_service(m: Member, n: int):
    services = ["訪問介護", "通所介護", "短期入所生活介護", "居宅介護支援"]
    for i in range(1, n + 1):
        (town, kana), service = m.town(), m.rng.choice(services)
        yield {**m.common(i), "介護サービス事業所名称": f"{town}ケアセンター",
               "介護サービス事業所名称_カナ": f"{kana}ケアセンター", "実施サービス": service,
               "住所": m.address(town), **m.point(), "電話番号": m.phone(), "FAX番号": m.phone(),
               "事業所番号": f"33{m.rng.randint(0, 99999999):08d}", "利用可能曜日": "月火水木金土",
               "定員": m.rng.randrange(10, 60, 5)}


def _opendata_list(m: Member, n: int, datasets: list[dict], labels: dict):
    own = [d for d in datasets if d["owner_org"] == m.name and d["standard_dataset"] != "opendata_list"]
    for i, d in enumerate(own[:n] if n else own, 1):
        yield {**m.common(i), "データ名称": d["title"], "データ概要": d["notes"].split("。")[0],
               "データ形式": "CSV", "分類": labels["regionaliot_category"][d["category"]],
               "更新頻度": labels["regionaliot_frequency"][d["frequency"]],
               "URL": f"https://www.example.jp/dataset/{d['name']}", "API対応有無": "無",
               "ライセンス": "CC BY 4.0", "登録日": "2025-04-01", "最終更新日": "2025-04-01"}


GENERATORS = {
    "aed": _aed, "evacuation_space": _evacuation_space, "public_wireless_lan": _public_wireless_lan,
    "public_toilet": _public_toilet, "population": _population, "public_facility": _public_facility,
    "preschool": _preschool, "tourism": _tourism, "cultural_property": _cultural_property,
    "fire_hydrant": _fire_hydrant, "hospital": _hospital, "event": _event,
    "care_service": _care_service,
}


def _choice_labels() -> dict:
    """Japanese labels of the select presets, {preset_name: {value: label}}."""
    import regionaliot.schemas
    import yaml

    path = Path(regionaliot.schemas.__file__).parent / "ckan" / "presets.yaml"
    presets = yaml.safe_load(path.read_text(encoding="utf-8"))["presets"]
    return {
        p["preset_name"]: {c["value"]: c["label"]["ja"] for c in p["values"]["choices"]}
        for p in presets if "choices" in p["values"]
    }


def generate(out_dir: Path = DEMO_DIR) -> list[Path]:
    orgs = {o["name"]: o for o in json.loads((SEED_DIR / "organizations.json").read_text("utf-8"))["organizations"]}
    datasets = json.loads((SEED_DIR / "datasets.json").read_text("utf-8"))["datasets"]
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for d in datasets:
        rng = random.Random(f"{SEED}:{d['name']}")  # per file, so editing one leaves the others
        member = Member(orgs[d["owner_org"]], rng)
        assert lgcode.is_valid(member.code), member.code
        kind = d["standard_dataset"]
        if kind == "opendata_list":
            rows = _opendata_list(member, d.get("rows", 0), datasets, _choice_labels())
        else:
            rows = GENERATORS[kind](member, d.get("rows", 8))
        path = out_dir / d["resource"]["file"]
        # UTF-8 with BOM and CRLF: what Excel-using municipalities publish most.
        with path.open("w", encoding=d["resource"].get("encoding", "utf-8-sig"), newline="") as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS[kind], lineterminator="\r\n")
            writer.writeheader()
            for row in rows:
                unknown = set(row) - set(COLUMNS[kind])
                assert not unknown, (kind, unknown)
                writer.writerow(row)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in generate():
        print(p.relative_to(SEED_DIR))
