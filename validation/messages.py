"""Every user-facing message, keyed by a stable finding code, in Japanese and English.

The CKAN side reuses the keys. Templates use ``str.format`` fields; the engine
fills them from a finding's params (``field``, ``cell``, ``fix``, ``note`` …).
``N_`` marks the texts for gettext extraction but returns them unchanged, so the
engine works without any catalogue.
"""
from __future__ import annotations

LANGS = ("ja", "en")


def N_(text: str) -> str:
    """No-op marker for ``pybabel extract -k N_``."""
    return text


# code -> (ja, en). Codes of Table Schema findings are Frictionless error types;
# constraint-error is split by constraint as ``constraint-error:<name>``.
MESSAGES: dict[str, tuple[str, str]] = {
    # --- Table Schema (Frictionless error types) ---
    "type-error": (
        N_("「{field}」の値「{cell}」は型 {type} として読めません。{type_hint}"),
        N_('"{field}": value "{cell}" is not a valid {type}. {type_hint}'),
    ),
    "constraint-error:required": (
        N_("「{field}」は必須項目ですが空です。値を入力してください。"),
        N_('"{field}" is required but empty. Fill in a value.'),
    ),
    "constraint-error:pattern": (
        N_("「{field}」の値「{cell}」は決められた書式に合いません（{hint}）。"),
        N_('"{field}": value "{cell}" does not match the required format ({constraint}).'),
    ),
    "constraint-error:enum": (
        N_("「{field}」の値「{cell}」は使えません。次のいずれかにしてください：{constraint}"),
        N_('"{field}": value "{cell}" is not allowed. Use one of: {constraint}'),
    ),
    "constraint-error:minimum": (
        N_("「{field}」の値「{cell}」は最小値 {constraint} より小さいです。"),
        N_('"{field}": value "{cell}" is below the minimum {constraint}.'),
    ),
    "constraint-error:maximum": (
        N_("「{field}」の値「{cell}」は最大値 {constraint} より大きいです。"),
        N_('"{field}": value "{cell}" is above the maximum {constraint}.'),
    ),
    "constraint-error:minLength": (
        N_("「{field}」の値「{cell}」は短すぎます（{constraint}文字以上）。"),
        N_('"{field}": value "{cell}" is too short (at least {constraint} characters).'),
    ),
    "constraint-error:maxLength": (
        N_("「{field}」の値「{cell}」は長すぎます（{constraint}文字以下）。"),
        N_('"{field}": value "{cell}" is too long (at most {constraint} characters).'),
    ),
    "unique-error": (
        N_("「{field}」の値「{cell}」が重複しています。{previous}一意の値にしてください。"),
        N_('"{field}": value "{cell}" is duplicated. {previous}Make it unique.'),
    ),
    "primary-key": (
        N_("主キー（{field}）の値が重複しているか空です。"),
        N_("Primary key ({field}) is duplicated or empty."),
    ),
    "missing-cell": (
        N_("この行は列が足りません。「{field}」（{column}列目）の値がありません。"),
        N_('This row is short: no value for "{field}" (column {column}).'),
    ),
    "extra-cell": (
        N_("この行は見出しより列が多いです（{column}列目「{cell}」）。区切り文字や引用符を確認してください。"),
        N_('This row has more cells than the header (column {column}: "{cell}"). Check delimiters and quotes.'),
    ),
    "blank-row": (
        N_("空行があります。削除してください。"),
        N_("Blank row. Delete it."),
    ),
    "missing-label": (
        N_("列「{field}」がありません。標準の見出しで列を追加してください。"),
        N_('Column "{field}" is missing. Add it with the standard header.'),
    ),
    "extra-label": (
        N_("列「{cell}」は標準データセットにない列です。"),
        N_('Column "{cell}" is not part of the standard dataset.'),
    ),
    "duplicate-label": (
        N_("見出し「{cell}」が重複しています。"),
        N_('Header "{cell}" appears more than once.'),
    ),
    "blank-label": (
        N_("{column}列目の見出しが空です。列名を入れるか、不要な列を削除してください。"),
        N_("Header of column {column} is empty. Name the column or delete it."),
    ),
    # --- header normalisation ---
    "header-normalized": (
        N_("見出し「{cell}」は表記が標準と違います。「{fix}」にしてください。"),
        N_('Header "{cell}" differs from the standard spelling. Write "{fix}".'),
    ),
    "header-alias": (
        N_("見出し「{cell}」は別名として受け付けましたが、標準の見出しは「{fix}」です。"),
        N_('Header "{cell}" was accepted as an alias; the standard header is "{fix}".'),
    ),
    "header-whitespace": (
        N_("見出し「{cell}」に余分な空白があります。「{fix}」にしてください。"),
        N_('Header "{cell}" contains stray spaces. Write "{fix}".'),
    ),
    "column-order": (
        N_("列の順番が標準と違います（「{field}」は{expected}列目のはずが{column}列目）。"),
        N_('Columns are not in the standard order ("{field}" should be column {expected}, is column {column}).'),
    ),
    "metadata-rows": (
        N_("見出しの前後に{count}行のメタデータ行（# で始まる行など）があります。見出しを1行目、データを2行目からにしてください。"),
        N_("{count} metadata line(s) around the header (lines starting with # and the like). Put the header in row 1 and data from row 2."),
    ),
    "trailing-empty-column": (
        N_("末尾に空の列があります（行末のカンマ）。削除してください。"),
        N_("There is a trailing empty column (a comma at the end of each line). Remove it."),
    ),
    "schema-not-detected": (
        N_("見出しから標準データセットを判定できませんでした。一般的な確認だけを行いました。"),
        N_("Could not tell which standard dataset this is from its header; only general checks were run."),
    ),
    "encoding-not-utf8": (
        N_("文字コードが {encoding} です。UTF-8 で保存することを推奨します。"),
        N_("The file is encoded as {encoding}. Saving it as UTF-8 is recommended."),
    ),
    # --- Japanese-specific checks ---
    "lgcode-check-digit": (
        N_("「{field}」の全国地方公共団体コード「{cell}」の検査数字が合いません（上5桁からは「{expected}」）。コードを確認してください。"),
        N_('"{field}": the check digit of local-government code "{cell}" is wrong (the first five digits give "{expected}"). Check the code.'),
    ),
    "lgcode-no-check-digit": (
        N_("「{field}」の「{cell}」は検査数字のない5桁のコードです。6桁の「{fix}」にしてください。"),
        N_('"{field}": "{cell}" is a 5-digit code without its check digit. Write the 6-digit "{fix}".'),
    ),
    "lgcode-ambiguous": (
        N_("「{field}」の「{cell}」は5桁です。検査数字が抜けた「{option1}」か、先頭の0が落ちた「{option2}」のどちらかです。確認してください。"),
        N_('"{field}": "{cell}" has 5 digits: either "{option1}" (check digit missing) or "{option2}" (leading zero lost). Check which.'),
    ),
    "lgcode-leading-zero": (
        N_("「{field}」の「{cell}」は先頭の0が落ちています。「{fix}」にしてください（表計算ソフトで数値として保存すると起こります）。"),
        N_('"{field}": "{cell}" lost its leading zero. Write "{fix}" (this happens when a spreadsheet stores it as a number).'),
    ),
    "lgcode-format": (
        N_("「{field}」の「{cell}」は全国地方公共団体コード（半角数字6桁）ではありません。"),
        N_('"{field}": "{cell}" is not a local-government code (6 half-width digits).'),
    ),
    "fullwidth-chars": (
        N_("「{field}」の「{cell}」に全角の数字や英字があります。半角の「{fix}」にしてください。"),
        N_('"{field}": "{cell}" contains full-width digits or letters. Write half-width "{fix}".'),
    ),
    "number-grouping": (
        N_("「{field}」の「{cell}」に桁区切りや空白があります。「{fix}」にしてください。"),
        N_('"{field}": "{cell}" contains digit grouping or spaces. Write "{fix}".'),
    ),
    "latlon-swapped": (
        N_("緯度「{lat}」と経度「{lon}」が入れ替わっています。緯度を「{lon}」、経度を「{lat}」にしてください。"),
        N_('Latitude "{lat}" and longitude "{lon}" are swapped. Put "{lon}" in latitude and "{lat}" in longitude.'),
    ),
    "latitude-out-of-japan": (
        N_("「{field}」の「{cell}」は日本の緯度（20〜46度）の範囲外です。"),
        N_('"{field}": "{cell}" is outside the latitudes of Japan (20–46°).'),
    ),
    "longitude-out-of-japan": (
        N_("「{field}」の「{cell}」は日本の経度（122〜154度）の範囲外です。"),
        N_('"{field}": "{cell}" is outside the longitudes of Japan (122–154°).'),
    ),
    "latlng-packed": (
        N_("「{field}」に緯度と経度が1つのセルに入っています（「{cell}」）。緯度と経度は別の列にしてください。"),
        N_('"{field}" holds latitude and longitude in one cell ("{cell}"). Use separate columns.'),
    ),
    "wareki-date": (
        N_("「{field}」の「{cell}」は和暦です。西暦の「{fix}」（YYYY-MM-DD）にしてください。"),
        N_('"{field}": "{cell}" is a Japanese-era date. Write the Gregorian "{fix}" (YYYY-MM-DD).'),
    ),
    "date-not-iso": (
        N_("「{field}」の「{cell}」は日付の書式が違います。「{fix}」（YYYY-MM-DD）にしてください。"),
        N_('"{field}": "{cell}" is not in the date format. Write "{fix}" (YYYY-MM-DD).'),
    ),
    "date-invalid": (
        N_("「{field}」の「{cell}」は日付として読めません。YYYY-MM-DD で書いてください。"),
        N_('"{field}": "{cell}" is not a date. Write it as YYYY-MM-DD.'),
    ),
    "time-not-padded": (
        N_("「{field}」の「{cell}」は時刻の書式が違います。「{fix}」（hh:mm）にしてください。"),
        N_('"{field}": "{cell}" is not in hh:mm form. Write "{fix}".'),
    ),
    "time-24": (
        N_("「{field}」の「{cell}」：この列では24:00は使えません。23:59にするか特記事項に書いてください。"),
        N_('"{field}": "{cell}": 24:00 is not allowed in this column. Use 23:59 or explain it in the notes column.'),
    ),
    "time-format": (
        N_("「{field}」の「{cell}」は時刻（hh:mm）ではありません。文章は特記事項の列に書いてください。"),
        N_('"{field}": "{cell}" is not a time (hh:mm). Put free text in the notes column.'),
    ),
    "phone-format": (
        N_("「{field}」の電話番号「{cell}」の書式を確認してください（例 086-426-3030）。"),
        N_('"{field}": check the format of phone number "{cell}" (e.g. 086-426-3030).'),
    ),
    "flag-symbol": (
        N_("「{field}」の「{cell}」は記号です。標準では「{fix}」と書きます。"),
        N_('"{field}": "{cell}" is a symbol; the standard writes "{fix}".'),
    ),
    "flag-value": (
        N_("「{field}」の「{cell}」は使えません。{allowed}のいずれかにしてください。"),
        N_('"{field}": "{cell}" is not allowed. Use one of {allowed}.'),
    ),
    "duplicate-id": (
        N_("「{field}」のID「{cell}」が重複しています。一意のIDにしてください。"),
        N_('"{field}": ID "{cell}" is duplicated. Make it unique.'),
    ),
    "id-scientific-notation": (
        N_("「{field}」の「{cell}」は指数表記です。表計算ソフトで数値に変換され、元のIDが失われています。"),
        N_('"{field}": "{cell}" is in scientific notation; a spreadsheet turned the ID into a number and lost it.'),
    ),
    "kana-halfwidth": (
        N_("「{field}」の「{cell}」に半角カナがあります。全角の「{fix}」にしてください。"),
        N_('"{field}": "{cell}" contains half-width kana. Write full-width "{fix}".'),
    ),
    "kana-hiragana": (
        N_("「{field}」の「{cell}」はひらがなです。カタカナの「{fix}」にしてください。"),
        N_('"{field}": "{cell}" is hiragana. Write katakana "{fix}".'),
    ),
    "kana-long-vowel": (
        N_("「{field}」の「{cell}」で長音符「ー」の代わりに別の記号（―や－など）が使われています。「{fix}」にしてください。"),
        N_('"{field}": "{cell}" uses a dash (― or －) instead of the long-vowel mark ー. Write "{fix}".'),
    ),
    "kana-format": (
        N_("「{field}」の「{cell}」は全角カタカナではありません。"),
        N_('"{field}": "{cell}" is not full-width katakana.'),
    ),
    "url-not-absolute": (
        N_("「{field}」の「{cell}」は http:// または https:// で始まるURLにしてください。"),
        N_('"{field}": "{cell}" should be an absolute URL starting with http:// or https://.'),
    ),
    "postal-code-format": (
        N_("「{field}」の郵便番号「{cell}」は 123-4567 の形にしてください。"),
        N_('"{field}": postal code "{cell}" should look like 123-4567.'),
    ),
    "email-format": (
        N_("「{field}」のメールアドレス「{cell}」の書式を確認してください。"),
        N_('"{field}": check the e-mail address "{cell}".'),
    ),
    "cell-whitespace": (
        N_("「{field}」の「{cell}」の前後に空白があります。「{fix}」にしてください。"),
        N_('"{field}": "{cell}" has leading or trailing spaces. Write "{fix}".'),
    ),
    "formula-cell": (
        N_("「{field}」の「{cell}」は「{first}」で始まるため、表計算ソフトで数式として実行されるおそれがあります。先頭に文字を足すなどしてください。"),
        N_('"{field}": "{cell}" starts with "{first}", so a spreadsheet may run it as a formula. Change the first character.'),
    ),
}

TYPE_HINTS: dict[str, tuple[str, str]] = {
    "number": (N_("半角の数字で書いてください（例 34.866918）。"), N_("Write a plain number (e.g. 34.866918).")),
    "integer": (N_("半角の整数で書いてください。"), N_("Write a whole number.")),
    "date": (N_("YYYY-MM-DD で書いてください。"), N_("Write it as YYYY-MM-DD.")),
    "time": (N_("hh:mm:ss で書いてください。"), N_("Write it as hh:mm:ss.")),
    "string": (N_("書式を確認してください。"), N_("Check the format.")),
}

SUMMARY: dict[str, tuple[str, str]] = {
    "valid": (N_("問題は見つかりませんでした。"), N_("No problems found.")),
    "invalid": (N_("エラー {errors} 件、警告 {warnings} 件があります。"), N_("{errors} error(s) and {warnings} warning(s).")),
    "warnings_only": (N_("エラーはありません。警告が {warnings} 件あります。"), N_("No errors; {warnings} warning(s).")),
    "truncated": (N_("指摘が多いため、一覧は最初の {limit} 件までです（件数の集計はすべて含みます）。"), N_("Too many findings: the list stops at {limit}; the counts include all.")),
    "unreadable": (N_("ファイルを読めません：{reason}"), N_("Cannot read the file: {reason}")),
}


class _SafeDict(dict):
    """Leave unknown ``{names}`` visible instead of raising KeyError."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def render(code: str, lang: str = "ja", **params: object) -> str:
    """Message for ``code`` in ``lang``; falls back to the code itself."""
    pair = MESSAGES.get(code)
    if pair is None:
        return code
    params = dict(params)
    if code == "type-error":
        hint = TYPE_HINTS.get(str(params.get("type", "")).split("/")[0])
        params.setdefault("type_hint", _pick(hint, lang) if hint else "")
    if code == "constraint-error:pattern" and not params.get("hint"):
        params["hint"] = params.get("constraint")  # no description in the schema: show the pattern
    if code == "unique-error" and "previous" not in params:
        params["previous"] = ""
    return _pick(pair, lang).format_map(_SafeDict(params))


def summary_text(key: str, lang: str = "ja", **params: object) -> str:
    return _pick(SUMMARY[key], lang).format_map(_SafeDict(params))
