"""An article's language: the stated tag, standardised, checked against the text."""

from __future__ import annotations

import pytest

from scraper.sites.language import article_language, standard_tag

GERMAN = (
    "Die Feuerwehr in Nordrhein-Westfalen warnt vor einem Personalmangel, wenn das "
    "Rentenalter für Einsatzkräfte erhöht wird. Viele Kameradinnen und Kameraden seien "
    "schon heute an der Grenze ihrer Belastbarkeit, sagte der Verbandschef am Montag in "
    "Düsseldorf. Die Landesregierung will die Pläne im Herbst im Landtag vorstellen und "
    "verweist auf die gestiegene Lebenserwartung und die Lage der Pensionskassen. Die "
    "Gewerkschaft kündigte Widerstand an und verlangt Gespräche mit dem Innenministerium."
)
ENGLISH = (
    "Swedish police said on Tuesday they would investigate reports that officers had leaked "
    "information to violent gangs, after a newspaper investigation found that details of "
    "ongoing inquiries had reached criminal networks in Stockholm and Gothenburg. The "
    "national police chief told reporters that any officer found to have passed on "
    "confidential material would be prosecuted, and that the force had already opened "
    "internal reviews in three regions where the leaks were first identified last year."
)
KOREAN = (
    "장동혁 국민의힘 대표가 당권을 위협하던 한동훈 전 대표를 제명했지만, 어깨는 한층 무거워졌다. "
    "넉 달가량 남은 지방선거에서 참패할 경우 당대표직을 지키기 힘들어서다. 세력과의 단절을 통한 "
    "외연 확장이 절실하지만, 강성 지지층 목소리가 한층 거세질 수밖에 없어 이들과의 관계 재설정부터 "
    "난제다. 강성 지지층을 달래면서 중도층을 끌어안는 것이 과제로 꼽힌다. 당 안팎에서는 선거를 앞두고 "
    "노선 변화가 불가피하다는 목소리가 커지고 있으며, 지도부는 다음 달 선고 이후 방향을 정할 계획이다. "
    "당 관계자는 지방선거 전략을 새로 짜야 한다고 말했다."
)


@pytest.mark.parametrize(
    "tag, standard",
    [
        ("de_de", "de-DE"),
        ("en-gb", "en-GB"),
        ("En", "en"),
        ("eng", "en"),
        ("iw", "he"),
        ("zh-hans-cn", "zh-Hans-CN"),
        ("utf-8", None),
        ("", None),
        (None, None),
        ("x-default", None),
    ],
)
def test_stated_tags_are_standardised(tag: str | None, standard: str | None) -> None:
    assert standard_tag(tag) == standard


def test_a_template_tag_the_text_contradicts_is_overruled() -> None:
    assert article_language("en", GERMAN) == "de"
    assert article_language("de", ENGLISH) == "en"
    assert article_language("kr", KOREAN) == "ko"  # "kr" is Kanuri: Korean is "ko"


def test_a_tag_the_text_agrees_with_stays_as_stated() -> None:
    assert article_language("de-AT", GERMAN) == "de-AT"
    assert article_language("en-US", ENGLISH) == "en-US"


def test_a_variant_of_the_detected_language_is_not_overruled() -> None:
    # the n-gram model says "no" for Bokmål; "nb" is the more precise tag
    norwegian = (
        "Regjeringen legger fram en ny plan for beredskap i kommunene, og statsministeren sier "
        "at alle husstander skal få informasjon om hva de bør gjøre dersom strømmen blir borte "
        "i flere dager. Planen kommer etter en lang høst med uvær, flom og ras i store deler av "
        "landet, der mange kommuner var uten strøm og mobilnett i nesten en uke. Ordførerne har "
        "lenge bedt om mer penger til beredskap, og de sier at planen er et godt første steg."
    )
    assert article_language("nb", norwegian) == "nb"


def test_without_a_stated_tag_the_text_says() -> None:
    assert article_language(None, GERMAN) == "de"
    assert article_language("utf-8", ENGLISH) == "en"


def test_too_little_text_to_judge_keeps_what_is_stated() -> None:
    assert article_language("en", "Die Feuerwehr warnt.") == "en"
    assert article_language(None, "Die Feuerwehr warnt.") is None
    assert article_language(None, "") is None
