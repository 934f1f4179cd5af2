"""The demo feeds (``ckan regionaliot feeds seed``) and the simulator's values, without
CKAN: 10 river-level gauges on 高梁川 (危機管理型水位計) and 5 underpasses. Places are
approximate and the values invented (tag "demo", is_demo)."""
from __future__ import annotations

import math
import random
from typing import Any

RIVER = "takahashigawa-water-level"
UNDERPASS = "takahashigawa-underpass"

# (sensor id, name, English name, lat, lon, normal level, warning, danger), levels in m.
GAUGES = [
    ("niimi-01", "高梁川 新見（正田）", "Takahashi River, Niimi", 34.9772, 133.4708, 1.2, 3.0, 3.8),
    ("niimi-02", "高梁川 新見（井倉）", "Takahashi River, Ikura", 34.9255, 133.5047, 1.1, 3.0, 3.8),
    ("takahashi-01", "高梁川 高梁（方谷）", "Takahashi River, Hokoku", 34.8561, 133.5740, 1.4, 3.4, 4.2),
    ("takahashi-02", "高梁川 高梁（広瀬）", "Takahashi River, Hirose", 34.7900, 133.6170, 1.5, 3.5, 4.4),
    ("takahashi-03", "成羽川 高梁（成羽）", "Nariwa River, Nariwa", 34.7839, 133.5528, 0.9, 2.6, 3.3),
    ("soja-01", "高梁川 総社（日羽）", "Takahashi River, Hiwa", 34.7305, 133.6830, 1.6, 3.8, 4.8),
    ("soja-02", "高梁川 総社（湛井）", "Takahashi River, Tatai", 34.6830, 133.7080, 1.7, 4.0, 5.0),
    ("kurashiki-01", "小田川 倉敷（真備）", "Oda River, Mabi", 34.6380, 133.6950, 1.0, 3.2, 4.0),
    ("kurashiki-02", "高梁川 倉敷（酒津）", "Takahashi River, Sakazu", 34.6230, 133.7380, 1.8, 4.2, 5.3),
    ("kurashiki-03", "高梁川 倉敷（水島）", "Takahashi River, Mizushima", 34.5480, 133.7260, 1.3, 3.6, 4.5),
]
# (sensor id, name, English name, lat, lon): depth in m; 0.15 caution, 0.30 closed.
UNDERPASSES = [
    ("kurashiki-up-01", "倉敷駅西アンダーパス", "Kurashiki Station West underpass", 34.6030, 133.7640),
    ("kurashiki-up-02", "水島アンダーパス", "Mizushima underpass", 34.5350, 133.7350),
    ("soja-up-01", "総社駅南アンダーパス", "Soja Station South underpass", 34.6700, 133.7500),
    ("takahashi-up-01", "高梁駅前アンダーパス", "Takahashi Station underpass", 34.7920, 133.6200),
    ("ibara-up-01", "井原駅東アンダーパス", "Ibara Station East underpass", 34.6000, 133.4650),
]


def _sensor(sensor_id: str, name: str, name_en: str, lat: float, lon: float, kind: str,
            measures: str, warning: float, danger: float, maximum: float) -> dict[str, Any]:
    return {"sensor_id": sensor_id, "name": name, "name_en": name_en, "kind": kind,
            "measures": measures, "unit": "m", "latitude": str(lat), "longitude": str(lon),
            "minimum": "-1", "maximum": str(maximum), "warning_level": str(warning),
            "danger_level": str(danger)}


def packages(owner_org: str) -> list[dict[str, Any]]:
    river = {
        "type": "feed", "name": RIVER, "owner_org": owner_org, "is_demo": True,
        "title": "高梁川 水位観測（危機管理型水位計・デモ）",
        "title_en": "Takahashi River water levels (demo)",
        "notes": "高梁川水系の危機管理型水位計10か所の水位（デモ用の模擬データ）。"
                 "氾濫注意水位・氾濫危険水位を超えると地図と表の色が変わります。",
        "notes_en": "Water levels of 10 gauges on the Takahashi River system (simulated demo data).",
        "category": "kokudo-kisho", "tag_string": "demo,水位,防災,IoT", "observation_interval": 10,
        "sensors": [_sensor(s, n, e, la, lo, "river_level", "水位", w, d, 10.0)
                    for s, n, e, la, lo, _base, w, d in GAUGES]}
    underpass = {
        "type": "feed", "name": UNDERPASS, "owner_org": owner_org, "is_demo": True,
        "title": "アンダーパス冠水水位（デモ）", "title_en": "Underpass flood depth (demo)",
        "notes": "流域5か所のアンダーパスの冠水水位（デモ用の模擬データ）。",
        "notes_en": "Flood depth at 5 underpasses of the basin (simulated demo data).",
        "category": "kokudo-kisho", "tag_string": "demo,冠水,防災,IoT", "observation_interval": 10,
        "sensors": [_sensor(s, n, e, la, lo, "underpass", "冠水水位", 0.15, 0.30, 3.0)
                    for s, n, e, la, lo in UNDERPASSES]}
    return [river, underpass]


def value(feed: str, index: int, seconds: float, rng: random.Random) -> float:
    """A plausible reading at time ``seconds`` (epoch). One gauge and one underpass rise
    past their thresholds every half hour, so the demo shows every state."""
    if feed == RIVER:
        _id, _n, _e, _la, _lo, base, warning, danger = GAUGES[index]
        level = base + 0.15 * math.sin(seconds / 3600 + index) + rng.uniform(-0.02, 0.02)
        if index == 8:  # 酒津: a flood wave in each 30-minute cycle
            phase = (seconds % 1800) / 1800
            level += max(0.0, math.sin(phase * math.pi)) * (danger + 0.3 - base)
        return round(level, 2)
    depth = 0.0
    if index == 0:  # 倉敷駅西: flooded for part of each 30-minute cycle
        phase = (seconds % 1800) / 1800
        depth = max(0.0, math.sin(phase * 2 * math.pi)) * 0.45
    return round(max(0.0, depth + rng.uniform(0, 0.01)), 2)


def sensor_ids(feed: str) -> list[str]:
    return [g[0] for g in GAUGES] if feed == RIVER else [u[0] for u in UNDERPASSES]
