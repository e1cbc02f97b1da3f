"""The real Press TV article the demo site and the tests are built around."""

from __future__ import annotations

from datetime import datetime

from scraper.demo.model import SampleArticle, SampleImage
from scraper.demo.presstv_chrome import (
    TEHRAN,
)


def seed_article() -> SampleArticle:
    """The real Press TV article of 19 Feb 2023 (shared/seed/000_ea7e39f8d487e77f.txt).

    Its text, caption, section and the NBSPs are as served; the id, slug, time of day,
    description (the lead sentence) and image path are not in the seed and are chosen here.
    The related articles are placeholders for the chrome lists.
    """
    nbsp = "\u00a0"
    paragraphs = [
        f"Russia says Western countries have not yet shown{nbsp}willingness to engage in peace"
        " efforts to resolve the war in Ukraine.",
        f"The Kremlin's spokesman{nbsp}Dmitry Peskov made the remarks on Sunday, after"
        f" Belarusian President{nbsp}Alexander Lukashenko suggested arranging a meeting between"
        " Russian and US leaders.",
        '"So far there is no readiness or openness towards peaceful initiatives on the part of'
        " the collective West,\" he was quoted as saying by Russia's state-owned news agency"
        " TASS",
        "Peskov said the idea of Lukashenko on talks between Russian President Vladimir Putin"
        " and US President Joe Biden is unlikely to gain support in the West.",
        f'{nbsp}"It is hardly possible to expect any type of reciprocity or response to such an'
        ' endeavor from any member of the collective West," he said.',
        "Earlier, Lukashenko invited Biden to visit Minsk during his upcoming European trip,"
        " saying he was willing to arrange his meeting with Putin.",
        "Biden is due to visit Poland next week to mark the Russia-Ukraine war's one-year"
        " anniversary.",
        "## West must accelerate military support to Ukraine",
        "Meanwhile, European Union foreign policy chief Josep Borrell called on the West to"
        " provide more military aid to Ukraine and speed up its deliveries.",
        '"Much more has to be done and much quicker. There is still a lot to be done. We have to'
        ' increase and accelerate our military support," Borrell said in a speech at the 59th'
        " Munich Security Conference (MSC) on Sunday.",
        "Borrell said he supported Estonian Prime Minister Kaja Kallas\u2019 proposal for the EU"
        " to buy ammunition on behalf of its members to help Ukraine.",
        "\"I completely agree with the Estonian prime minister's proposal and we are working on"
        ' that and it will work," Borrell said.',
        "Western leaders have vowed to remain steadfast in their support for Kiev during their"
        " speeches at the annual conference.",
        f"Separately on Sunday, France said it will begin delivering the promised AMX-10{nbsp}RC"
        f" armored combat vehicles to Kiev, which are described as a{nbsp}wheeled tank"
        f" destroyer{nbsp}or{nbsp}light tank.",
        'The first vehicles will be sent to Ukraine "by the end of next week", French Defense'
        " Minister Sebastien Lecornu told Le Parisien newspaper's Sunday edition, without"
        " specifying the number of vehicles in the first batch.",
        f"Polish Prime Minister{nbsp}Mateusz Morawiecki also said that his country is in favor of"
        " delivering as many weapons as possible to Ukraine, including fighter jets.",
        "Full military support for Ukraine could make 2023 a \u201cturning moment\u201d in"
        " European history, Morawiecki said. \u201cI do believe that 2023, with our"
        " determination, will be the end of the war in Ukraine. And I do believe Ukraine will"
        " win that war.\u201d",
        f'Russia launched{nbsp}"a special military operation" in Ukraine on February 24, 2022,'
        " over the perceived threat of the ex-Soviet republic joining NATO. Since then, the"
        " United States and Ukraine's other allies have sent Kiev tens of billions of dollars"
        " worth of weapons, including rocket systems, drones, armored vehicles, tanks, and"
        " communication systems.",
        "Western countries have also imposed a slew of economic sanctions on Moscow. The Kremlin"
        " has said the sanctions and the Western military assistance will only prolong the war.",
    ]
    return SampleArticle(
        id=698345,
        published=datetime(2023, 2, 19, 14, 5, tzinfo=TEHRAN),
        slug="Kremlin-West-not-willing-to-engage-in-Ukraine-peace-efforts",
        title="West not willing to engage in Ukraine peace efforts: Kremlin",
        section="Russia",
        description="Russia says Western countries have not yet shown willingness to engage in"
        " peace efforts to resolve the war in Ukraine.",
        paragraphs=paragraphs,
        images=[
            SampleImage(
                url="/photo/20230219/2c7b8a7e-5a8e-4c1d-9b0e-3f6f1f2d9a10.jpg",
                caption="A Ukrainian soldier stands near a damaged Russian tank in Kupyansk in the"
                " Kharkiv region, October 4, 2022. (File photo by AP)",
            )
        ],
        related=_seed_related(),
    )


def _seed_related() -> list[SampleArticle]:
    titles = (
        (698301, "Europe", "Sample related story one about European energy prices"),
        (698312, "Russia", "Sample related story two about a meeting in Moscow"),
        (698320, "Europe", "Sample related story three about a Munich conference panel"),
        (698333, "Americas", "Sample related story four about a Washington budget debate"),
        (698338, "Russia", "Sample related story five about grain exports"),
        (698340, "Europe", "Sample related story six about a strike in Paris"),
    )
    return [
        SampleArticle(
            id=id_,
            published=datetime(2023, 2, 18, 9 + n, 15, tzinfo=TEHRAN),
            slug=title.replace(" ", "-"),
            title=title,
            section=section,
            description=f"Summary of {title.lower()}.",
            paragraphs=[f"Body of {title.lower()}."],
            images=[SampleImage(url=f"/photo/20230218/related-{id_}.jpg")],
        )
        for n, (id_, section, title) in enumerate(titles)
    ]
