"""Word lists (FR + EN regexes) shared by the relevance, role and kind rules."""

from __future__ import annotations

import re


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


AI = _re(
    r"\b(?:intelligence artificielle|artificial intelligence|machine learning|apprentissage "
    r"(?:automatique|profond)|deep learning|LLMs?|large language models?|grands? modèles? de langage|"
    r"modèles? de langage|language models?|g[ée]n[ée]rative?|neural networks?|"
    r"r[ée]seaux de neurones|computer vision|vision par ordinateur|chatbots?|agents? IA|AI agents?|"
    r"foundation models?|mod[èe]les? de fondation|AGI|robotaxis?|self-driving|autonomous driving|"
    r"conduite autonome|supercalculateur|supercomputer|algorithm\w*|algorithmes?|data scien\w*|"
    r"science des donn[ée]es|mod[èe]les? pr[ée]dictifs?|predictive models?|robotique|robotics|"
    r"intelligence augment[ée]e)\b"
)
AI_CASED = re.compile(r"\b(?:IA|AI|A\.I\.|LLMs?|GenAI|AGI|GPUs?|xAI|OpenAI)\b")  # must keep their case

FUNDING_VERB = _re(
    r"\b(?:rais(?:e|es|ed|ing)|secur(?:e|es|ed|ing)|clos(?:e|es|ed|ing)(?!\s+(?:models?|systems?|source|"
    r"weights|doors?|beta|platforms?|ecosystems?|networks?))|land(?:s|ed)?|bag(?:s|ged)?|"
    r"net(?:s|ted)|pull(?:s|ed) in|snag(?:s|ged)?|attract(?:s|ed)?|collect(?:s|ed)?|"
    r"wraps? up|wrapped up|receiv(?:e|es|ed)|obtain(?:s|ed)?|gets?|got|"
    r"invest(?:s|ed|ing)?|inject(?:s|ed)?|back(?:s|ed)|fund(?:s|ed|ing)|financ(?:e|es|ed|ing)|"
    r"allocat(?:e|es|ed|ing)|earmark(?:s|ed)?|commit(?:s|ted)?|pledg(?:e|es|ed)|grant(?:s|ed)?|"
    r"award(?:s|ed)?|announc(?:e|es|ed)|approv(?:e|es|ed)|unveil(?:s|ed)?|outlay|"
    r"l[èe]ve|lev[ée]e?s?|a lev[ée]|lever|boucl(?:e|é|ée|er)|obtient|obtenu|décroche|décroché|"
    r"r[ée]colt(?:e|é)|amass(?:e|é)|empoch(?:e|é)|s[ée]cur(?:ise|isé)|investi(?:t|ra|r|ssement)?|"
    r"injecte|injecté|mise sur|d[ée]bloqu(?:e|é|er)|allou(?:e|é|er)|accord(?:e|é|er)|"
    r"financ(?:e|é|er|era)|financement|subvention(?:ne|né)?|subsides?|re[çc]oit|a re[çc]u|soutien|appui|octroi(?:e|é)?|"
    r"consacr(?:e|é|er|era)|dot(?:e|é|er)|enveloppe|budget|fonds|tour de table|round|funding|"
    r"fundrais(?:e|ing)|financing|seed|amor[çc]age|s[ée]rie [A-F]|series [A-F]|capital)\b"
)
STRONG_FUNDING = _re(
    r"\b(?:rais(?:e|es|ed|ing)|secur(?:es|ed)|clos(?:es|ed)(?=\s+(?:on\s+|out\s+|off\s+)?(?:a|an|its|their|his|"
    r"her|the|this|that|[$€£¥]|US\$|[A-Z]{3}\s?\d|\d|over|more|nearly|almost|about|around|roughly|some|"
    r"funding|financing|fresh|new|series|seed|round|an?\s+(?:oversubscribed|extended|new))\b)|"
    r"(?:round|financing|funding|fundraise) (?:was |has |had |that |which )?(?:officially |recently )?closed|"
    r"bag(?:s|ged)|land(?:s|ed)|net(?:s|ted)|"
    r"snag(?:s|ged)|wrap(?:s|ped)? up|funding round|financing round|fundrais(?:e|ing)|fund-raising|"
    r"round of funding|series [A-F]|seed round|tour de table|l[èe]ve|a lev[ée]|lev[ée]e de fonds|"
    r"boucl[ée]|obtient|a obtenu|r[ée]colt[ée]|amass[ée]|empoch[ée]|s[ée]curis[ée]|s[ée]rie [A-F]|"
    r"amor[çc]age|invest(?:s|ed|it|ira|ir)|injecte|inject(?:s|ed)|d[ée]bloqu[ée]|allou[ée]|allocate[sd]?|"
    r"grant(?:ed)?|subvention|subsides?|outlay|earmark(?:s|ed)|will invest|va investir|financement de|"
    r"acqui(?:res?|red|sition)|rach[èe]te|rachat|investissements? (?:initial )?de|investments? of|"
    r"of investment|in (?:new )?funding|in financing|funding of|financement (?:initial |suppl[ée]mentaire )?de|"
    r"de financement|d['’]investissement|appui (?:financier )?de|soutien (?:financier )?de|aide de|"
    r"supported by|commit(?:s|ted)|s['’]engage|mettre à disposition|met à disposition|mis à disposition|"
    r"made available|en faveur de|obtenir|to invest|d['’]investir|investir|enveloppe de|budget de|"
    r"dot[ée]e? de|injection de|cash injection|war chest|capital increase|augmentation de capital|"
    r"[àa] hauteur de|financ(?:ent|era|eront|ée?s?)|octroie|octroy[ée]e?|accorde|accord[ée]e?|versera|"
    r"verse|provides?|provided|awards?|awarded|to fund|pour financer)\b"
)
INVESTOR_CUE = _re(
    r"\b(?:led by|co-led by|backed by|participation (?:of|from|de)|particip(?:ated|ating|ate|e|é|ent|aient|"
    r"ation)|investors?|investisseurs?|backers?|joined by|alongside|aux c[ôo]t[ée]s|auprès d(?:e|u|es)|"
    r"auprès d['’]|men[ée]e? par|"
    r"pilot[ée]e? par|port[ée]e? par|conduite? par|dirig[ée]e? par|rejoin(?:t|dre)|"
    r"tour de table|round (?:was|is) led|including|dont|soutien|appui|support(?:ed)? (?:by|from)|"
    r"from investors|by investors|shareholders?|actionnaires?|contributed|a contribu[ée]|"
    r"venture capital|capital-risque|fonds)\b"
)
VALUATION = _re(
    r"(?:valuation|valu(?:e|es|ed|ing) (?:it|the company|the firm|the startup|the start-up|\w+) at|"
    r"valued at|valoris\w+|worth|market cap\w*|capitalisation)"
)
REVENUE = _re(
    r"(?:chiffre d['’]affaires|revenue|revenues|turnover|sales|ventes|b[ée]n[ée]fice|profit|r[ée]sultat|"
    r"recettes|ARR|annual recurring|earnings|loss(?:es)?|pertes?|salaires?|salary|prix|price|"
    r"order worth|commande|contrat|contract|deal worth|dettes?)"
)
TOTAL = _re(
    r"(?:au total|in total|total(?:ing)? (?:of )?|to date|à ce jour|jusqu['’]ici|so far|en tout|"
    r"cumul\w*|altogether|since (?:its )?(?:creation|founding|inception)|depuis (?:sa )?cr[ée]ation|"
    r"previously|précédemment|auparavant|pr[ée]c[ée]dente?|earlier|last year|l['’]an dernier|"
    r"l['’]ann[ée]e derni[èe]re|prior|former)"
)
MARKET = _re(
    r"(?:march[ée]|market|secteur|sector|industry|industrie|[ée]cosyst[èe]me|ecosystem|start-?ups? "
    r"(?:fran[çc]aises|europ[ée]ennes|de l['’]IA|IA|ont lev[ée])|startups (?:have )?raised|"
    r"venture capital (?:investment|funding)|investissements? (?:dans|en) (?:l['’]IA|l['’]intelligence)|"
    r"global(?:ly)?|worldwide|mondial|forecast|pr[ée]vision|by 20\d\d|d['’]ici 20\d\d|per year|par an|"
    r"chaque ann[ée]e|each year|annually)"
)
NEGATION = _re(
    r"(?:didn['’]t|did not|n['’]a pas|n['’]ont pas|not|never|jamais|no longer|ne \w+ pas|rumou?rs?|"
    r"rumeurs?|fake|faux|myth|mythe|denied|d[ée]menti|refus\w*|d[ée]clin\w*|reject\w*|rejet\w*)"
)
PAST = _re(
    r"(?:\bin (?:19|20)\d\d\b|\ben (?:19|20)\d\d\b|last (?:year|month|spring|summer|fall|autumn|winter)|"
    r"l['’]an dernier|l['’]ann[ée]e derni[èe]re|en (?:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|"
    r"ao[ûu]t|septembre|octobre|novembre|d[ée]cembre) dernier|ago|il y a|avait (?:lev[ée]|boucl[ée]|"
    r"obtenu)|had (?:raised|secured)|previous|pr[ée]c[ée]dent|first round|premier tour|earlier|"
    r"\b[Ii]n (?:January|February|March|April|May|June|July|August|September|October|November|December)\b|"
    r"two years after|deux ans apr[èe]s|(?:lors|during) (?:de |of )?(?:its|sa|son) (?:previous|last|"
    r"dernier|derni[èe]re))"
)
TEASER = _re(
    r"^\s*(?:[àa] lire aussi|lire aussi|lire [ée]galement|voir aussi|read more|read also|related|see also|"
    r"also read|sur le m[êe]me sujet|recommended|you may also like|more from|sponsored|publicit[ée]|"
    r"advertisement)\b"
)
PUBLIC = _re(
    r"\b(?:government|gouvernement|minist\w+|cabinet|state|[ée]tat|federal|f[ée]d[ée]ral\w*|r[ée]gion\w*|"
    r"national\w*|public|publique|programme|program|plan|strat[ée]gie|strategy|mission|initiative|"
    r"budget|taskforce|task force|institut\w*|agency|agence|council|conseil|commission|union "
    r"europ[ée]enne|european union|EU|UE|AI Factory|supercomput\w+|supercalculateur)\b"
)
GRANT = _re(r"\b(?:grants?|subventions?|subventionn\w+|subsides?|bourses?|aides? (?:publique|financi[èe]re)|"
            r"prize|prix)\b")
DEBT = _re(r"\b(?:loans?|pr[êe]ts?|debt|dette|credit facility|ligne de cr[ée]dit|venture debt|obligations?|bonds?)\b")
ACQUISITION = _re(r"\b(?:acqui(?:res?|red|sition|ring)|rach[èe]t\w*|rachat|takeover|buy(?:s|out)|bought|"
                  r"ach[èe]te|achat|cession|sale of|vente de)\b")
ROUND = [
    ("pre-seed", _re(r"\b(?:pre-?seed|pr[ée]-?amor[çc]age)\b")),
    ("seed", _re(r"\b(?:seed|amor[çc]age)\b")),
    ("series_a", _re(r"\b(?:s[ée]ries?|round) A\b")),
    ("series_b", _re(r"\b(?:s[ée]ries?|round) B\b")),
    ("series_c", _re(r"\b(?:s[ée]ries?|round) C\b")),
    ("series_d+", _re(r"\b(?:s[ée]ries?|round) [D-H]\b")),
]
COMPARATOR = _re(
    r"\b(?:by contrast|in comparison|compared (?:to|with)|par comparaison|compar[ée]e? [àa]|rivals?|"
    r"rivaux|concurrents?|competitors?|including|such as|like|comme|tels? que|notamment)\b"
)
DEBUNK = _re(
    r"(?:didn['’]t|did not|has not|hasn['’]t|never|n['’]a (?:pas|jamais)|n['’]ont (?:pas|jamais)|ne l[èe]ve pas)"
    r"\s+(?:\w+\s+){0,2}(?:rais\w*|secur\w*|lev[ée]\w*|obtenu|boucl[ée]|get|got|receiv\w*|re[çc]u)"
)
COMPARATOR_LIST = _re(
    r"(?:telles? que|tels? que|such as|like|comme|rivals?|rivaux|concurrents?|competitors?)\s+"
    r"(?:[\w&’'.-]+\s*,?\s*(?:et|and)?\s*){0,6}$"
)
