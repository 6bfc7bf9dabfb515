"""HTML for the replay site, shaped like builtin.com's pages (see PAGE_FORMAT.md).

Only the structure is reproduced: element nesting, classes, Font Awesome icon classes,
attributes, tooltips, the JSON-LD shape and the init script. Images are inline data URIs
and there are no stylesheets, so a browser fetching a page asks the site for nothing else.
"""

from __future__ import annotations

import base64
import html
import json
from urllib.parse import urlencode

from jobcrawler.replay.postings import Place, Posting, SimilarJob, load_corpus

PIXEL = "data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw=="
LD_JSON_TYPE = "application/ld&#x2B;json"  # builtin.com writes the '+' as a character reference
BULLET = " &#x2022; "


def enc(text) -> str:
    """Encode text the way builtin.com's server does: quotes, '+' and non-ASCII as &#x..;."""
    escaped = html.escape(str(text), quote=True).replace("+", "&#x2B;")
    return "".join(char if ord(char) < 128 else f"&#x{ord(char):X};" for char in escaped)


def script_json(data) -> str:
    """JSON safe inside an inline <script>, escaped like the init scripts of the real pages."""
    text = json.dumps(data, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003C").replace(">", "\\u003E")


def _ld_script(node: dict) -> str:
    body = json.dumps(node, ensure_ascii=False, separators=(",", ":")).replace("\u00a0", "\\u00A0")
    return (
        f'        <script type="{LD_JSON_TYPE}">\n'
        "            {\n"
        '              "@context": "https://schema.org",\n'
        f'              "@graph": [{body}]\n'
        "    }\n"
        "        </script>\n"
    )


def _document(
    *,
    title: str,
    head_extra: str,
    body: str,
    robots: str = "index, follow",
    canonical: str | None = None,
    description: str = "",
) -> str:
    canonical_link = f'        <link rel="canonical" href="{enc(canonical)}"/>\n' if canonical else ""
    return (
        '\n<!DOCTYPE html>\n<html lang="en">\n<head>\n'
        '    <meta charset="utf-8"/>\n'
        '    <meta name="viewport" content="width=device-width, initial-scale=1.0"/>\n'
        f'    <meta name="description" content="{enc(description)}"/>\n'
        f'        <meta name="robots" content="{robots}"/>\n'
        f"    <title>{enc(title)}</title>\n"
        '    <link rel="icon" href="data:,">\n'  # no favicon request to the site
        f"{canonical_link}{head_extra}"
        "</head>\n<body>\n"
        f'{_SITE_HEADER}\n<div>\n    <main role="main">\n{body}\n    </main>\n</div>\n{_SITE_FOOTER}\n'
        "</body>\n</html>\n"
    )


_SITE_HEADER = f"""<header class="header sticky-top">
    <div id="international-header" class="bg-app-primary text-white nav-height d-flex align-items-center"><div class="container d-flex justify-content-between"><div class="d-flex align-items-center"><a href="/"><img class="d-block" src="{PIXEL}" height="48" width="108" alt="Built In Logo" /></a></div>
        <div class="d-flex"><a id="for-employers-button" href="/employers" class="btn btn-secondary text-white btn-lg me-md fw-bold fs-sm text-uppercase" role="button">For Employers</a>
            <a href="/auth/login" id="login" class="btn border-0 p-0 text-white fw-bold text-uppercase fs-sm special-link">Log In</a></div></div></div>
<nav class="navbar navbar-expand-lg d-none d-lg-block bg-white p-0 border-bottom border-gray-02"><ul class="navbar-nav d-flex gap-lg" role="menu"><li class="nav-item fs-lg" role="menuitem"><a class="nav-link top-nav-item text-uppercase" href="/jobs">Jobs</a></li><li class="nav-item fs-lg" role="menuitem"><a class="nav-link top-nav-item text-uppercase" href="/companies">Companies</a></li><li class="nav-item fs-lg" role="menuitem"><a class="nav-link top-nav-item text-uppercase" href="/jobs/remote">Remote</a></li></ul></nav>
</header>"""

_SITE_FOOTER = """<footer class="footer">
    <div class="bg-app-primary text-white"><div class="container"><div class="row footer-content gap-lg pt-3xl"><div class="col-md"><div class="text-white fs-sm mb-lg">
            A local stand-in for a tech job board, serving synthetic postings for crawler tests.
        </div></div>
    <div class="col-md"><nav role="navigation" class="flex-column small d-flex gap-md"><a class="nav-link text-white fs-sm" href="/jobs">Browse Jobs</a><a class="nav-link text-white fs-sm" href="/companies">Companies</a></nav></div></div></div></div>
</footer>"""


# --- shared pieces -----------------------------------------------------------------------------


def _icon_pair(icon: str, value_html: str, text_class: str = "text-gray-03") -> str:
    return (
        f'<div class="d-flex align-items-start gap-sm"><div class="d-flex justify-content-center align-items-center h-lg min-w-md">'
        f'<i class="fa-regular {icon} fs-xs text-pretty-blue" aria-hidden="true"></i></div>\n'
        f'            <span class="font-barlow {text_class}">{value_html}</span></div>'
    )


def _header_tooltip(labels: list[str]) -> str:
    cells = "".join(f"<div class='col-lg-6 px-md'>{enc(label)}</div>" for label in labels)
    return enc(f"<div class='row g-xs py-sm font-barlow fs-md'>{cells}</div>")


def _card_tooltip(labels: list[str]) -> str:
    return enc("".join(f"<div class='text-truncate'>{enc(label)}</div>" for label in labels))


def _card_locations_span(labels: list[str], text_class: str = "text-gray-04") -> str:
    return (
        f'<span class="font-barlow {text_class} text-decoration-underline z-1 cursor-pointer" data-bs-toggle="tooltip" '
        f'data-bs-placement="bottom" data-bs-html="true" role="tooltip" aria-label="Job locations" '
        f'data-bs-title="{_card_tooltip(labels)}">{len(labels)} Locations\n                                    </span>'
    )


def _header_location_value(posting: Posting) -> str:
    labels = posting.location_labels
    if posting.remote_hiring:
        return f"<span>Hiring Remotely in </span><span>{enc(labels[0])}</span>"
    if len(labels) == 1:
        return f"<span>{enc(labels[0])}</span>"
    return (
        f'<span class="cursor-pointer text-decoration-underline" data-bs-toggle="tooltip" '
        f'data-bs-placement="bottom" data-html="true" {posting.tooltip_attr}="{_header_tooltip(labels)}">\n'
        f"                {len(labels)} Locations\n            </span>"
    )


def _location_block(posting: Posting, text_class: str) -> str:
    return (
        f'<div><div class="d-flex align-items-start gap-sm"><div class="d-flex justify-content-center align-items-center h-lg min-w-md">'
        f'<i class="fa-regular fa-location-dot fs-xs text-pretty-blue" aria-hidden="true"></i></div>\n'
        f'                <div class="font-barlow {text_class} position-relative">{_header_location_value(posting)}</div></div></div>'
    )


def _badges(posting: Posting) -> str:
    badges = []
    if posting.easy_apply:
        badges.append(
            '<div class="d-inline-flex bg-ultraviolet text-white rounded-3 py-xs px-sm">'
            '<i class="fa-solid fa-bolt me-xs fs-sm" aria-hidden="true"></i>'
            '<span class="fw-semibold fs-xs">Easy Apply</span></div>'
        )
    if posting.early_applicant:
        badges.append(
            '<div class="d-inline-flex bg-pretty-blue-highlight rounded-3 py-xs px-sm">'
            '<span class="fw-semibold fs-xs">Be an Early Applicant</span></div>'
        )
    return f'<div class="d-flex flex-wrap gap-sm">{"".join(badges)}</div>'


def _clock(posting: Posting, text_class: str = "") -> str:
    ago = posting.posted_text.split(" ", 1)[1]
    return (
        f'<i class="fa-light text-pretty-blue fa-clock me-sm fs-sm" aria-hidden="true" title="Job Posted {ago}"></i>\n'
        f'                <span class="font-barlow fs-md fw-regular{text_class}">{posting.posted_text}</span>'
    )


def _top_skills(posting: Posting, heading_size: str) -> str:
    if not posting.top_skills:
        return ""
    chips = [",".join(posting.top_skills)] if posting.skills_in_one_chip else posting.top_skills
    chip_html = "".join(
        f'<div class="py-xs px-sm d-inline-block rounded-3 fs-sm text-nowrap border">{enc(chip)}</div>'
        for chip in chips
    )
    return (
        f'<div class="bg-white rounded-3 p-md mb-sm full-size"><div class="mb-0 mb-md"><div class="d-flex flex-wrap justify-content-between align-items-lg-end gap-sm"><div class="fs-md-xl fs-sm">'
        f'<h2 class="m-0 fw-extrabold text-midnight {heading_size} text-transform-unset">Top Skills</h2></div></div></div>\n'
        f'    <div class="d-flex gap-sm flex-wrap">{chip_html}</div></div>'
    )


def _body(posting: Posting) -> str:
    ident = posting.identifier
    return (
        f'<div x-ref="job-post-body-{ident}" id="job-post-body-{ident}" class="fs-md fw-regular mb-md html-parsed-content">'
        f"{posting.body_html}</div>\n"
        f'    <button @click="toggleJobExpanded" type="button" class="btn show-more-button position-absolute bottom-0 start-0 w-100" '
        f':class="bodyTooLarge({ident}) &amp;&amp; !jobExpanded ? &#x27;d-block&#x27; : &#x27;d-none&#x27;" aria-label="Expand Full Description">'
        '<span class="text-decoration-underline">Read Full Description</span>\n'
        '        <i class="fa-regular fa-chevron-down fs-sm" aria-hidden="true"></i></button>'
    )


def _jsonld_place(place: Place) -> dict:
    address = {"@type": "PostalAddress", "addressCountry": place.country}
    for key, value in (
        ("addressLocality", place.locality),
        ("addressRegion", place.region),
        ("postalCode", place.postal_code),
        ("streetAddress", place.street),
    ):
        if value:
            address[key] = value
    node = {"@type": "Place", "address": address}
    if place.geo:
        node["geo"] = {"@type": "GeoCoordinates", "latitude": place.geo[0], "longitude": place.geo[1]}
    return node


def job_posting_jsonld(posting: Posting) -> dict:
    company = posting.company
    countries = [{"@type": "Country", "name": country} for country in posting.applicant_countries]
    places = [_jsonld_place(place) for place in posting.places]
    node = {
        "EducationRequirements": {
            "@type": "EducationalOccupationalCredential",
            "credentialCategory": "Bachelor Degree",
            "@context": "https://schema.org",
        },
        "@type": "JobPosting",
        "title": posting.title,
        "description": posting.description_html,
        "directApply": posting.easy_apply,
        "identifier": {"@type": "PropertyValue", "name": company.name, "value": posting.identifier},
    }
    if posting.salary:
        node["baseSalary"] = {
            "@type": "MonetaryAmount",
            "currency": posting.salary["currency"],
            "value": {
                "@type": "QuantitativeValue",
                "minValue": posting.salary["min"],
                "maxValue": posting.salary["max"],
                "unitText": posting.salary["unit"],
            },
        }
    node.update(
        {
            "datePosted": posting.date_posted.isoformat(),
            "employmentType": posting.employment_type,
            "experienceRequirements": {
                "@type": "OccupationalExperienceRequirements",
                "monthsOfExperience": posting.months_of_experience,
            },
            "applicantLocationRequirements": countries[0] if len(countries) == 1 else countries,
            "hiringOrganization": {
                "@type": "Organization",
                "name": company.name,
                "sameAs": company.url,
                "logo": {
                    "@type": "ImageObject",
                    "url": f"https://images.replay.example/logos/{company.slug}.png",
                    "representativeOfPage": True,
                },
            },
            "industry": company.jsonld_industry,
        }
    )
    if posting.job_benefits:
        node["jobBenefits"] = posting.job_benefits
    node["jobLocation"] = places[0] if len(places) == 1 else places
    if posting.job_location_type:
        node["jobLocationType"] = posting.job_location_type
    node["validThrough"] = posting.valid_through
    return node


def _init_script(posting: Posting) -> str:
    data = {
        "job": {
            "id": int(posting.identifier),
            "drupalId": int(posting.job_id),
            "isSaved": False,
            "howToApply": posting.how_to_apply,
            "companyName": posting.company.name,
            "title": posting.title,
            "isEasyApply": posting.easy_apply,
            "resolvedBidId": None,
        },
        "siteId": 3 if posting.template == "header" else 9,
        "isApplyFormEnabled": True,
        "isLoggedIn": False,
    }
    return (
        "    <script>window.Builtin = window.Builtin || {jobPostInit: function () {}};</script>\n"
        '    <script type="module">\n'
        f"        Builtin.jobPostInit({script_json(data)});\n"
        "    </script>\n"
    )


def _apply_bar(posting: Posting) -> str:
    return (
        f'    <div x-data="applyForm" class="job-post-sticky-bar sticky-bottom bg-white d-flex justify-content-center align-items-center gap-sm">\n'
        f'        <a href="/auth/login?destination={posting.path}" target="_blank" class="btn btn-lg bg-outline-primary border-pretty-blue rounded-3" aria-label="Apply to job">'
        '<i data-id="heart-button" class="fa-regular fa-heart"></i><span>Save</span></a>\n'
        "    </div>\n"
    )


# --- detail pages ------------------------------------------------------------------------------


def detail_page(posting: Posting) -> str:
    """A detail page in the posting's layout: "match" (builtin.com) or "header" (city site)."""
    body = _match_main(posting) if posting.template == "match" else _header_main(posting)
    location = posting.location_labels[0] if len(posting.location_labels) == 1 else "several locations"
    return _document(
        title=f"{posting.title} - {posting.company.name} | {posting.site_name}",
        head_extra=_ld_script(job_posting_jsonld(posting)),
        body=body + "\n" + _init_script(posting),
        robots="noindex, nofollow" if posting.robots_noindex else "index, follow",
        canonical=posting.canonical_url,
        description=(
            f"{posting.company.name} is hiring for a {posting.title} in {location}. "
            f"Find more details about the job and how to apply at {posting.site_name}."
        ),
    )


def _match_main(posting: Posting) -> str:
    company = posting.company
    salary = _icon_pair("fa-sack-dollar", posting.compensation_text) if posting.compensation_text else ""
    summary = ""
    if posting.summary:
        summary = (
            f'<div class="mb-sm">{enc(posting.summary)}</div>\n'
            '                <div class="d-flex align-items-center justify-content-center mb-xl"><div class="bg-gray-04 w-md" style="height:1.5px;"></div>'
            '<div class="mx-sm"><div class="fs-xs">Summary Generated by Built In</div></div><div class="bg-gray-04 w-md" style="height:1.5px;"></div></div>'
        )
    similar = "".join(_similar_unbounded(card) for card in posting.similar)
    return f"""<div x-data="jobPost">
    <div class="job-post-item bg-gray-01" id="{posting.identifier}">
<div class="match-background py-xl">
    <div class="container">
        <div class="row g-sm">
            <div class="col-12 col-lg-5">
                <div class="bg-white rounded-3 p-md position-relative h-100">
                    <div class="mb-sm d-inline-flex align-items-center">
                        <a href="/company/{company.slug}" target="_blank"><picture class="d-inline-block"><img src="{PIXEL}" alt="{enc(company.name)} Logo" height="48" width="48" class="p-xs rounded-2 border border-gray-02 me-md img-default object-fit-contain"/></picture></a>
                        <a href="/company/{company.slug}" target="_blank" class="hover-underline text-pretty-blue font-barlow fw-medium fs-2xl">
                            <h2 class="text-pretty-blue m-0">{enc(company.name)}</h2>
                        </a>
                    </div>
                    <h1 class="fw-extrabold fs-xl mb-sm">
                        <span class="mb-0">{enc(posting.title)}</span>
                    </h1>
                    <div class="mb-sm">
                        {_clock(posting)}
                    </div>
                </div>
            </div>
            <div class="col-12 col-lg-3">
                <div class="d-flex flex-column gap-sm bg-white rounded-3 p-md position-relative h-100">
                    {_badges(posting)}
                    {_location_block(posting, "text-gray-03")}
                    <div class="d-flex gap-md">{_icon_pair("fa-house-building", posting.work_type)}</div>
                    {salary}
                    {_icon_pair("fa-trophy", posting.level)}
                </div>
            </div>
            <div class="col-12 col-lg-4">
                <div class="bg-white rounded-3 p-md h-100">
                    <div class="font-barlow fw-medium mb-md">{BULLET.join(enc(name) for name in company.industries)}</div>
                    <div class="fs-md fw-regular">{enc(company.blurb)}</div>
                </div>
            </div>
        </div>
    </div>
</div>
<div class="container py-lg">
    <div class="row gx-lg mb-xl">
        <div class="col-12 col-lg-6 mb-sm mb-lg-0">
            <div class="bg-midnight text-white rounded-3 mb-sm px-md py-sm fs-xl fw-extrabold">The Role</div>
            <div class="bg-white rounded-3 p-md mb-sm overflow-hidden position-relative">
                {summary}
                {_body(posting)}
            </div>
            {_top_skills(posting, "fs-2xl")}
            <div class="row mt-xl font-Montserrat d-none d-lg-block"><div class="mb-sm"><a href="/company/{company.slug}/jobs" class="fs-md" target="_blank"><i class="fa-regular fa-briefcase-blank" aria-hidden="true"></i>
            <span class="ms-xs d-inline-block text-decoration-underline">View all jobs at {enc(company.name)}</span></a></div></div>
        </div>
        <div class="col-12 col-lg-6">
            <div class="bg-midnight text-white rounded-3 mb-sm px-md py-sm fs-xl fw-extrabold">The Company</div>
            {_company_card(posting)}
            <div class="bg-white rounded-3 p-md mb-sm"><div><h2 class="fs-md-xl fs-md fw-extrabold mb-sm">What We Do</h2>
                <p class="mb-lg">{enc(company.blurb)}</p></div></div>
            <div class="jobs-at-similar-companies-container bg-white rounded-3 p-md mb-sm full-size">
                <div class="mb-0 mb-md"><div class="d-flex flex-wrap justify-content-between align-items-lg-end gap-sm mb-sm"><div class="fs-md-xl fs-sm"><h2 class="m-0 fw-extrabold text-midnight fs-md fs-md-xl text-transform-unset">{enc(posting.similar_heading)}</h2></div></div></div>
                <div class="jobs-at-similar-companies d-flex flex-column gap-sm">
{similar}
                </div>
            </div>
        </div>
    </div>
</div>
    </div>
{_apply_bar(posting)}</div>"""


def _company_card(posting: Posting) -> str:
    company = posting.company
    hq = ""
    if company.hq:
        shown = f"HQ:  {company.hq}" if "," in company.hq else company.hq
        hq = (
            '<div class="d-flex align-items-start gap-sm"><div class="d-flex justify-content-center align-items-center h-lg min-w-md">'
            '<i class="fa-regular fa-map-location-dot fs-xs text-pretty-blue" aria-hidden="true"></i></div>\n'
            f'                <div class="font-barlow text-gray-03">\n{enc(shown)}                                            </div></div>'
        )
    employees = (
        '<div class="d-flex align-items-start gap-sm"><div class="d-flex justify-content-center align-items-center h-lg min-w-md">'
        '<i class="fa-regular fa-user-group fs-xs text-pretty-blue" aria-hidden="true"></i></div>\n'
        f'                <span class="font-barlow text-gray-03">\n                    {company.size} Employees\n                </span></div>'
    )
    founded = ""
    if company.founded:
        founded = (
            '<div class="flex-grow-1"><div class="d-flex align-items-start gap-sm"><div class="d-flex justify-content-center align-items-center h-lg min-w-md">'
            '<i class="fa-regular fa-calendar fs-xs text-pretty-blue" aria-hidden="true"></i></div>\n'
            f'                <span class="font-barlow text-gray-03">Year Founded: {company.founded}</span></div></div>'
        )
    return (
        f'<div class="bg-white rounded-3 mb-sm p-md"><div class="d-flex"><div class="flex-grow-1">\n'
        f"                {hq}\n                {employees}\n            </div>{founded}</div></div>"
    )


def _similar_unbounded(card: SimilarJob) -> str:
    path = f"/job/{card.slug}/{card.job_id}"
    location = (
        f'<span class="font-barlow text-gray-03">{enc(card.location_labels[0])}</span>'
        if len(card.location_labels) == 1
        else _card_locations_span(card.location_labels, "text-gray-03")
    )
    pair = (
        '<div class="d-flex align-items-center mb-xs mb-md-sm"><div class="w-md d-flex justify-content-center align-items-center me-sm">'
        '<i class="fa-regular {icon} fs-xs text-pretty-blue"></i></div>\n                        {value}</div>'
    )
    return f"""                    <div class="job-unbounded-responsive saved-item-{card.job_id} mb-lg border-top border-gray-02 pt-lg position-relative" type="button"><div id="main" class="row"><a href="{path}" class="stretched-link"></a>
        <div class="col-12 col-md-8 position-relative"><a href="/company/{card.company_slug}" class="mb-sm d-inline-flex align-items-center position-relative z-1"><h2 class="font-barlow fs-md fs-xl-xl d-inline-block text-pretty-blue m-0"><picture class="d-inline-block"><img src="{PIXEL}" alt="{enc(card.company)} Logo" height="48" width="48" class="p-xs rounded-2 border border-gray-02 me-md min-h-3xl" /></picture>
                    <span class="fw-medium d-inline-block">{enc(card.company)}</span></h2></a>
            <h3 class="fw-extrabold fs-md fs-xl-xl mb-sm position-relative z-1"><a href="{path}" class="mb-0 position-relative">{enc(card.title)}</a></h3><div class="font-barlow fw-medium d-sm-none d-md-block">{BULLET.join(enc(name) for name in card.industries)}</div></div>
        <div class="col-12 col-md-4 attribute-section d-flex align-items-center"><div><div class="d-flex gap-md mb-xs mb-md-sm">{pair.format(icon="fa-house-building", value=f'<span class="font-barlow text-gray-03">{card.work_type}</span>')}</div>{pair.format(icon="fa-location-dot", value=f"<div>{location}</div>")}{pair.format(icon="fa-user-group", value=f'<span class="font-barlow text-gray-03">{card.employees} Employees</span>')}{pair.format(icon="fa-sack-dollar", value=f'<span class="font-barlow text-gray-03">{card.pay_text}</span>')}</div></div></div></div>
"""


def _header_attributes(posting: Posting) -> str:
    salary = _icon_pair("fa-sack-dollar", posting.compensation_text) if posting.compensation_text else ""
    return (
        f'<div class="d-flex flex-column gap-sm position-relative h-100">{_badges(posting)}'
        f"{_icon_pair('fa-house-building', posting.work_type, 'text-gray-04')}"
        f"{_location_block(posting, 'text-gray-04')}{salary}{_icon_pair('fa-trophy', posting.level, 'text-gray-04')}</div>"
    )


def _header_main(posting: Posting) -> str:
    company = posting.company
    sites = load_corpus()["city_sites"]
    scene = next((sites[key]["scene"] for key in posting.cities if key in sites), "the city")
    similar = "".join(_bounded_card(card_from_similar(card)) for card in posting.similar)
    attributes = _header_attributes(posting)
    return f"""<div x-data="jobPost">
    <div class="job-post-item bg-gray-01" id="{posting.identifier}">
<div class="header-background py-xl pb-3xl pb-lg-5xl"><div class="container"><div class="container-fluid m-0"><div class="row"><div class="header-image position-relative z-1 p-0 mx-auto"><div class="invisible-header-spacer"></div><div class="d-flex company-img-wrapper bottom-0 position-absolute"><a href="/company/{company.slug}" type="button" class="d-inline-flex align-items-center bg-white p-sm rounded-2 border border-gray-02"><picture class="d-inline-block p-lg-xs"><img data-id="company-img" data-builtin-track-job-id="{posting.job_id}" src="{PIXEL}" alt="{enc(company.name)} Logo" loading="auto" height="96" width="96" class="min-h-3xl object-fit-contain company-img" /></picture></a></div></div>
                <div id="job-card-{posting.job_id}" data-id="job-card" class="job-card position-relative job-bounded-responsive border-0 border-lg border-transparent rounded-bottom bg-lg-white p-lg-2xl"><div id="main" class="row"><div class="col-12 col-lg-8 col-xl-7 bg-white bg-lg-transparent rounded-bottom p-md pt-0 pb-lg-0"><div class="invisible-inside-spacer"></div>
                            <a href="/company/{company.slug}" class="mb-sm mb-lg-md d-block z-1"><h2 class="font-barlow text-pretty-blue fs-xl fw-medium fs-lg-2xl d-inline-block m-0 hover-underline" data-id="company-title" data-builtin-track-job-id="{posting.job_id}"><span>{enc(company.name)}</span></h2></a>
                            <h1 class="fw-extrabold fs-xl fs-lg-3xl mb-sm mb-lg-lg text-gray-04">{enc(posting.title)}</h1>
                            <div class="d-flex flex-column flex-md-row d-md-inline-flex"><div class="me-md-md">{_clock(posting, " text-gray-04")}</div></div></div>
                        <div class="col-12 col-lg-3 ms-auto bg-white d-none d-lg-block"><div class="invisible-inside-spacer"></div>
                            {attributes}</div></div></div></div></div></div></div>
<div class="container d-lg-none mb-sm mt-n2xl"><div class="row pe-md ps-md p-lg-0"><div class="bg-white p-md rounded-3">{attributes}</div></div></div>
<div class="container mt-lg-n4xl pb-4xl">
    <div class="container-fluid m-0">
        <div class="row">
            <div class="bg-white rounded-3 p-md pt-lg-lg pb-lg-lg pe-lg-2xl ps-lg-2xl mb-sm mb-lg-md overflow-hidden position-relative"><div class="bg-gray-01-opacity fs-md rounded-3 p-md p-lg-lg mb-md mb-lg-lg"><div class="fw-semibold">{enc(posting.summary or "")}</div>
            <div class="mt-sm mt-lg-md font-barlow">The summary above was generated by AI</div></div>{_body(posting)}</div>
                {_top_skills(posting, "fs-xl")}
                <div class="bg-white rounded-3 p-md p-lg-lg mb-md mb-lg-lg full-size"><div class="mb-0 mb-md"><div class="d-flex flex-wrap justify-content-between align-items-lg-end gap-sm mb-sm"><div class="fs-md-xl fs-sm"><h2 class="m-0 fw-extrabold text-midnight fs-xl text-transform-unset">{enc(posting.similar_heading)}</h2></div></div></div>
    <div class="jobs-at-similar-companies d-flex flex-column gap-sm">{similar}</div></div>
            <div class="p-lg bg-white rounded-3 font-Montserrat"><h4 class="fs-md text-gray-04 fw-semibold mb-md">What you need to know about the {enc(scene)} Tech Scene</h4>
        <div class="text-gray-04">{enc(load_corpus()["scene_blurb"].format(scene=scene))}</div>
    </div>
        </div>
    </div>
</div>
    </div>
{_apply_bar(posting)}</div>"""


# --- listing cards -----------------------------------------------------------------------------


def card_from_similar(card: SimilarJob) -> dict:
    return {
        "job_id": card.job_id,
        "path": f"/job/{card.slug}/{card.job_id}",
        "href": f"/job/{card.slug}/{card.job_id}",
        "title": card.title,
        "company": card.company,
        "company_slug": card.company_slug,
        "age": card.age_text,
        "easy_apply": card.easy_apply,
        "work_type": card.work_type,
        "locations": card.location_labels,
        "pay": card.pay_text,
        "level": card.level,
        "industries": card.industries,
        "blurb": None,
    }


def card_from_posting(posting: Posting, base_url: str) -> dict:
    labels = [posting.card_location] if len(posting.places) == 1 else [place.long_label for place in posting.places]
    return {
        "job_id": posting.job_id,
        "path": posting.path,
        "href": f"{base_url}{posting.path}" if posting.absolute_card_href else posting.path,
        "title": posting.title,
        "company": posting.company.name,
        "company_slug": posting.company.slug,
        "age": posting.posted_text,
        "easy_apply": posting.easy_apply,
        "work_type": posting.work_type,
        "locations": labels,
        "pay": posting.card_pay_text,
        "level": posting.level,
        "industries": posting.company.industries,
        "blurb": posting.summary,
    }


def _bounded_card(card: dict) -> str:
    """A job card as search results (and the header layout's Similar Jobs) show it."""
    job_id = card["job_id"]
    pair = (
        '<div class="d-flex align-items-start gap-sm"><div class="d-flex justify-content-center align-items-center h-lg min-w-md">'
        '<i class="fa-regular {icon} fs-xs text-pretty-blue"></i></div>\n                                {value}</div>'
    )
    labels = card["locations"]
    location = (
        f'<div><span class="font-barlow text-gray-04">{enc(labels[0])}</span></div>'
        if len(labels) == 1
        else f"<div>{_card_locations_span(labels)}</div>"
    )
    easy_apply = (
        '<div class="d-flex"><span class="text-white px-sm py-xs bg-pale-lavender text-ultraviolet rounded-2 font-montserrat fs-xs fw-bold">'
        '<i class="fa-solid fa-bolt fs-xs me-xs"></i>\n                                    Easy Apply\n                                </span></div>'
        if card["easy_apply"]
        else ""
    )
    pay = (
        pair.format(icon="fa-sack-dollar", value=f'<span class="font-barlow text-gray-04">{card["pay"]}</span>')
        if card["pay"]
        else ""
    )
    blurb = f'<div class="fs-sm fw-regular mb-md text-gray-04">{enc(card["blurb"])}</div>' if card["blurb"] else ""
    return f"""<div id="job-card-{job_id}" data-id="job-card" x-data="jobTracking" x-init="initObserver({job_id}, false)" class="job-bounded-responsive position-relative bg-white p-md rounded-3 mb-sm"><div id="main" class="row"><div class="col-12 col-lg-7 left-side-tile"><div class="align-self-center left-side-tile-item-1"><a href="/company/{card["company_slug"]}" target="_blank" class="align-items-center text-pretty-blue z-1"><picture class="d-inline-block"><img data-id="company-img" data-builtin-track-job-id="{job_id}" src="{PIXEL}" alt="{enc(card["company"])} Logo" loading="lazy" height="72" width="72" class="p-xs me-md min-h-3xl object-fit-contain" /></picture></a></div>
            <div class="left-side-tile-item-2"><a href="/company/{card["company_slug"]}" target="_blank" data-id="company-title" data-builtin-track-job-id="{job_id}" class="font-barlow fw-medium fs-xl d-inline-block m-0 text-pretty-blue hover-underline cursor-pointer z-1"><span>{enc(card["company"])}</span></a></div>
            <div class="left-side-tile-item-3"><h2 class="font-barlow fw-medium fs-xl fs-xl-2xl mb-sm mb-lg-0"><a href="{enc(card["href"])}" target="_blank" data-id="job-card-title" data-alias="{card["path"]}" data-builtin-track-job-id="{job_id}" class="card-alias-after-overlay text-break">{enc(card["title"])}</a></h2></div></div>
        <div class="col-12 col-lg-5 bounded-attribute-section d-flex align-items-start align-items-lg-center fs-md flex-column flex-lg-row"><div class="d-flex flex-grow-1 gap-lg"><div class="d-flex flex-column gap-0 fill-even"><div class="d-flex align-items-start gap-sm position-relative"><span class="fs-xs fw-bold bg-gray-01 font-Montserrat text-gray-03 rounded-1 py-xs px-sm"><i class="fa-regular fa-clock fs-xs text-gray-03 d-inline-block me-sm"></i>{card["age"]}</span></div><div class="d-flex gap-md">{pair.format(icon="fa-house-building", value=f'<span class="font-barlow text-gray-04">{card["work_type"]}</span>')}</div>{pair.format(icon="fa-location-dot", value=location)}</div><div class="d-none d-xl-block fill-even">{easy_apply}{pay}{pair.format(icon="fa-trophy", value=f'<span class="font-barlow text-gray-04">{card["level"]}</span>')}</div></div></div></div>
    <div id="drop-data-{job_id}" data-job-id="{job_id}" class="collapse"><div class="pt-md border-top border-gray-02 mt-md mt-lg-lg"><div class="mb-md fs-xs fw-bold">{BULLET.join(enc(name) for name in card["industries"])}</div>{blurb}</div></div></div>"""


# --- listing pages -----------------------------------------------------------------------------


def listing_url(path: str, params: dict, page: int) -> str:
    query = {key: value for key, value in params.items() if key != "page"}
    if page > 1:
        query["page"] = str(page)
    return f"{path}?{urlencode(query)}"


def _pager(path: str, params: dict, page: int, last_page: int) -> str:
    if last_page <= 1:
        return ""
    items = []
    if page > 1:
        items.append(
            f'<li class="page-item"><a class="page-link" aria-label="Go to Previous Page" href="{enc(listing_url(path, params, page - 1))}"><i class="fa-regular fa-chevron-left"></i></a></li>'
        )
    for number in range(max(1, page - 2), min(last_page, page + 2) + 1):
        if number == page:
            items.append(
                f'<li class="page-item active" aria-current="page"><span class="page-link">{number}</span></li>'
            )
        else:
            items.append(
                f'<li class="page-item"><a class="page-link" aria-label="Go to Page {number}" href="{enc(listing_url(path, params, number))}">{number}</a></li>'
            )
    if page < last_page:
        items.append(
            f'<li class="page-item"><a class="page-link" aria-label="Go to Next Page" href="{enc(listing_url(path, params, page + 1))}"><i class="fa-regular fa-chevron-right"></i></a></li>'
        )
    return f'<nav aria-label="Job search results pages"><ul class="pagination justify-content-center">{"".join(items)}</ul></nav>'


def listing_page(
    *,
    cards: list[dict],
    heading: str,
    total: int,
    path: str,
    params: dict,
    page: int,
    last_page: int,
    base_url: str,
    js: bool = False,
) -> str:
    """A search result page; with js=True the cards and pager exist only after a script runs."""
    cards_html = "".join(_bounded_card(card) for card in cards)
    pager = _pager(path, params, page, last_page)
    if js:
        markup = base64.b64encode((cards_html + pager).encode()).decode()
        results = (
            '<div id="search-results-top" data-id="search-results"></div>\n'
            "<script>\n"
            '    window.addEventListener("load", function () {\n'
            f'        var bytes = Uint8Array.from(atob("{markup}"), function (c) {{ return c.charCodeAt(0); }});\n'
            '        document.getElementById("search-results-top").innerHTML = new TextDecoder().decode(bytes);\n'
            "    });\n"
            "</script>"
        )
        head = ""
    else:
        results = f'<div id="search-results-top" data-id="search-results">{cards_html}</div>\n{pager}'
        items = [
            {
                "@type": "ListItem",
                "position": index + 1,
                "url": base_url + card["path"],
                "name": card["title"],
                **({"description": card["blurb"]} if card["blurb"] and index % 2 == 0 else {}),
            }
            for index, card in enumerate(cards)
        ]
        head = _ld_script({"@type": "ItemList", "itemListElement": items})
    body = f"""<div class="container py-lg">
    <h1 class="fw-extrabold fs-xl mb-sm">{enc(heading)}</h1>
    <div class="font-barlow fs-md text-gray-03 mb-md" data-id="results-count">{total} Jobs</div>
    {results}
</div>"""
    return _document(title=f"{heading} | Built In", head_extra=head, body=body)


# --- other pages ---------------------------------------------------------------------------------


def challenge_page() -> str:
    """A bot check served with status 200: no cards, no JSON-LD."""
    return """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="robots" content="noindex,nofollow"></head>
<body><div class="main-wrapper" role="main"><div class="main-content"><h1 class="zone-name-title h1">Checking your browser</h1>
<h2 class="h2" id="challenge-running">Verifying you are human. This may take a few seconds.</h2>
<noscript><div class="h2"><span id="challenge-error-text">Enable JavaScript and cookies to continue</span></div></noscript>
<div id="challenge-body-text" class="core-msg spacer">The site needs to review the security of your connection before proceeding.</div></div></div>
<script>window._challengeOpts = {mode: "managed"};</script></body></html>"""


def not_found_page() -> str:
    return _document(
        title="Page Not Found | Built In",
        head_extra="",
        body='<div class="container py-xl"><h1>Page Not Found</h1><p>The page you are looking for does not exist.</p></div>',
        robots="noindex, nofollow",
    )


def error_page(status: int, reason: str) -> str:
    return f"<!DOCTYPE html><html><head><title>{status} {reason}</title></head><body><h1>{status} {reason}</h1></body></html>"


ROBOTS_TXT = """User-agent: *
Allow: /jobs
Allow: /job/
Disallow: /api/
Disallow: /auth/
"""
