"""The first-alert benchmark on a phone extraction at smoke size: the bench image's files as an Android
full-file-system zip (photos last in its member order), every listed photo alerted during the ``triage``
job, each alert from a zip member under its device path. No timing assertions: the machine is shared."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

from bench import bench_first_alert, phone_extraction, results

CACHE = Path(__file__).resolve().parents[2] / "tests" / ".cache" / "bench"


def test_the_extraction_holds_the_plan_with_the_photos_last() -> None:
    extraction = phone_extraction.build("smoke", CACHE)
    with zipfile.ZipFile(extraction.archive) as archive:
        infos = archive.infolist()
    assert [info.filename for info in infos] == [m["path"] for m in extraction.members]
    assert all(info.filename.startswith("Dump/") for info in infos)
    kinds = [m["kind"] for m in extraction.members]
    photos = extraction.photos
    assert len(photos) == 13 and kinds.index("photo") == len(kinds) - len(photos)  # photos last
    assert sum(kind == "photo" for kind in kinds) * 10 < len(kinds)  # mostly other files
    folders = {m["device_path"].rsplit("/", 1)[0] for m in photos}
    assert folders == {
        "/data/media/0/DCIM/Camera",
        "/data/media/0/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images",
        "/data/media/0/Pictures/Screenshots",
    }
    assert any(m["device_path"].startswith("/data/data/") for m in extraction.members)
    assert any(m["device_path"].startswith("/system/") for m in extraction.members)
    stored = {info.filename for info in infos if info.compress_type == zipfile.ZIP_STORED}
    assert {m["path"] for m in photos} <= stored and "Dump/system/build.prop" not in stored
    assert extraction.member_bytes(photos[0])[:2] == b"\xff\xd8"


def test_alerts_of_the_listed_photos_come_from_the_extraction(tmp_path, monkeypatch) -> None:
    for key in ("CUSTOS_HOME", "CUSTOS_PASSPHRASE", "CUSTOS_EXAMINER", "CUSTOS_HASHSET_LIBRARY"):
        monkeypatch.setenv(key, "")  # the benchmark sets them: restored after
    work = tmp_path / "work"
    result = bench_first_alert.run("smoke", CACHE, work, tmp_path, workers=2, medium="extraction")
    saved = json.loads((tmp_path / "bench_first_alert_extraction.json").read_text(encoding="utf-8"))
    assert saved == result and result["medium"] == "extraction"
    assert result["evidence"]["file"] == "android_ffs.zip"
    assert result["all_listed_found"], (result["found"], result["library"]["listed"])
    listed, files = result["library"]["listed"], result["library"]["listed_files"]
    assert len(listed) == 3 and result["library"]["entries"] == 1003
    assert files == ["Dump" + path for path in listed]
    assert sorted({alert["path"] for alert in result["triage"]["alerts"]}) == sorted(listed)
    with sqlite3.connect(f"file:{work / 'case-triage' / 'case.db'}?mode=ro", uri=True) as db:
        for path in listed:
            (link,) = db.execute("SELECT link_json FROM files WHERE path = ?", (path,)).fetchone()
            link = json.loads(link)
            assert link["kind"] == "zip-member" and link["member"]["container_path"] == "Dump" + path
    ratios = result["ratios"]
    assert 0 < ratios["first_alert_share"] <= ratios["all_alerts_share"] <= 1
    assert ratios["triage_over_hashes"] > 0
    assert "3 of the extraction's photos listed" in bench_first_alert.markdown(result)
    page = bench_first_alert.page_result(results.Run("first_alert_extraction", "t", "smoke"), result)
    assert page["parameters"]["members"] == result["evidence"]["members"]
    assert page["parameters"]["first photo at member"] > page["parameters"]["members"] // 2
    assert [row[0] for row in page["rows"]][:2] == ["whole triage job (process start to exit)", "first alert"]
    # The job's timeline: the walk's phase first, then processing alone, every step later than the one before.
    timeline = result["triage"]["timeline"]
    assert timeline[0]["phase"] == "enumerating + processing"
    assert any(step["phase"] == "processing" for step in timeline)
    assert [step["seconds"] for step in timeline] == sorted(step["seconds"] for step in timeline)
    assert any(note.startswith("first progress line at") for note in page["notes"])
