"""archive/wording.py: counts agree with their nouns, sizes and durations read as people say them."""

from archive import wording


def test_a_count_agrees_with_its_noun() -> None:
    assert wording.count(1, "article") == "1 article"
    assert wording.count(0, "article") == "0 articles"
    assert wording.count(3, "file") == "3 files"
    assert wording.count(2, "entry", "entries") == "2 entries"
    assert wording.count(1, "entry", "entries") == "1 entry"
    assert wording.count(1234, "record") == "1,234 records"


def test_a_small_size_is_not_zero_megabytes() -> None:
    assert wording.size(19_000) == "19.0 kB"
    assert wording.size(512) == "512 bytes"
    assert wording.size(1) == "1 byte"
    assert wording.size(3_500_000) == "3.5 MB"


def test_a_duration_is_words_not_a_clock() -> None:
    assert wording.duration(30 * 86400) == "30 days"
    assert wording.duration(75) == "1 minute and 15 seconds"
    assert wording.duration(0) == "less than a second"


def test_the_indefinite_article_fits_the_word() -> None:
    assert wording.article("int") == "an int"
    assert wording.article("string") == "a string"


def test_messages_count_one_thing_in_the_singular() -> None:
    """The lines built with the helper (issue 22, item 11): no "kept 1 records"."""
    from archive.replay_progress import ReplayProgress
    from archive.warc_repair import Repair

    repair = Repair("a.warc.gz.open", "repaired", records=1, cut_bytes=1)
    assert repair.message() == "repaired a.warc.gz.open: kept 1 record, cut 1 byte"
    progress = ReplayProgress(None)
    progress.records = progress.articles = progress.problems = 1
    progress.total_bytes = progress.done_bytes = 10
    assert progress.line().startswith("replay: 1 record, 1 article, 1 problem, ")


def test_replay_says_one_capture_in_the_singular() -> None:
    from archive.replay_profiles import ProfileChooser
    from scraper.sites.profile import load_profile

    chooser = ProfileChooser([], forced=load_profile("presstv"), embedded=False)
    chooser.captures = 1
    assert chooser.nothing_written().startswith(
        "no article URL of presstv among the 1 capture read "
    )
