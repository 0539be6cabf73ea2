"""Demo content for the learn hub: the /learn/ index and a few explainers.

`load(site)` is idempotent: pages are looked up by slug and left alone when
they exist, so a second run changes nothing.
"""

import datetime

from wagtail.models import Page

from .models import ArticlePage, LearnIndexPage

AUTHOR = "Brightside Web Studio"


def p(*paragraphs):
    return "".join(f"<p>{text}</p>" for text in paragraphs)


def heading(text, anchor=""):
    return {"type": "heading", "value": {"text": text, "anchor": anchor}}


def paragraph(*paragraphs):
    return {"type": "paragraph", "value": p(*paragraphs)}


def key_points(title, points):
    items = [{"title": point_title, "body": p(body)} for point_title, body in points]
    return {"type": "key_points", "value": {"heading": title, "items": items}}


def callout(tone, title, body):
    return {"type": "callout", "value": {"tone": tone, "title": title, "body": p(body)}}


def quote(text, attribution="", source=""):
    return {"type": "quote", "value": {"text": text, "attribution": attribution, "source": source}}


BACK_END_ASPECTS = [
    (
        "Server-side languages",
        "The back end is written in a language that runs on the server, such as Python, PHP, Ruby, Java, C# or "
        "JavaScript on Node.js. The choice matters less than people think: pick one your team knows well and that has "
        "a healthy ecosystem of libraries.",
    ),
    (
        "Web frameworks",
        "A framework like Django, Laravel, Rails or Express handles the plumbing every site needs: routing URLs, "
        "reading forms, sessions and templates. It saves months of work and comes with security defaults that a "
        "hand-rolled solution usually lacks.",
    ),
    (
        "Database management",
        "Almost every site keeps its content, users and orders in databases such as PostgreSQL, MySQL or SQLite. "
        "Good back-end work means designing tables that fit the data, changing them safely with migrations, and "
        "taking backups that are actually tested by restoring them.",
    ),
    (
        "APIs and web services",
        "An API lets other programs talk to your site: a mobile app, a payment provider or your own front end. "
        "Clear, versioned endpoints with predictable errors make those integrations cheap to build and easy to keep "
        "working.",
    ),
    (
        "Security",
        "The back end guards passwords, personal data and payments. That means hashing passwords, checking every "
        "input, keeping software up to date and giving each part of the system only the access it needs.",
    ),
    (
        "Server configuration and deployment",
        "Code only helps once it runs somewhere. Deployment covers the web server, HTTPS certificates, environment "
        "settings and a repeatable way to ship new versions, ideally with one command and no downtime.",
    ),
    (
        "Integration with external services",
        "Sites rarely work alone: they send e-mail, take payments, look up addresses or sync with a CRM. Each "
        "integration needs timeouts, retries and a plan for the day the other service is down.",
    ),
    (
        "Performance optimization",
        "Fast pages come from doing less work per request. Caching, efficient queries, compressed static files and "
        "images in modern formats often cut load times in half without new hardware.",
    ),
    (
        "Testing and debugging",
        "Automated tests check that yesterday's features still work after today's change. Good logs and error "
        "reports turn a vague complaint like 'checkout is broken' into a specific line of code to fix.",
    ),
    (
        "Scalability and performance",
        "Scalability is about handling more visitors without a rewrite. Stateless application servers, a database "
        "that can grow, background queues for slow jobs and a content delivery network let a site grow step by step.",
    ),
    (
        "Version control and collaboration",
        "Every change lives in a version control system such as Git, with a short description of why it was made. "
        "Reviews and a shared history let several developers work on one site without overwriting each other.",
    ),
]

ARTICLES = [
    {
        "slug": "what-a-cms-does",
        "title": "What a CMS does",
        "date": datetime.date(2026, 9, 2),
        "topics": ["Content management", "Web development"],
        "intro": "A content management system lets you change your website's words and pictures yourself, "
        "without calling a developer for every typo.",
        "body": [
            heading("Content without code"),
            paragraph(
                "A CMS stores your pages as structured content and turns them into web pages when someone visits. "
                "You edit in a form in the browser; the system takes care of layout, links and menus.",
                "Good systems also keep a history of every change, so a mistake is one click away from being undone.",
            ),
            key_points(
                "What to expect from a good CMS",
                [
                    ("Drafts and previews", "You see a change exactly as visitors will before you publish it."),
                    (
                        "Structured blocks",
                        "Headings, images and quotes are separate blocks, so the design stays consistent.",
                    ),
                    (
                        "Roles and permissions",
                        "Authors write, editors approve, and nobody can break the site by accident.",
                    ),
                ],
            ),
            callout(
                "tip",
                "Ask for a demo",
                "Before you choose a system, edit a real page in it yourself. Ten minutes tell you more than a feature list.",
            ),
        ],
    },
    {
        "slug": "web-hosting",
        "title": "Web hosting, explained",
        "date": datetime.date(2026, 9, 16),
        "topics": ["Hosting", "Back end"],
        "intro": "Hosting is where your website lives. Here is what you pay for, and how to pick a plan that fits.",
        "body": [
            heading("What a host provides"),
            paragraph(
                "A host rents you space on servers that are always on and connected to the internet. Depending on "
                "the plan, it also runs your databases, handles backups and renews your HTTPS certificate.",
            ),
            key_points(
                "Kinds of hosting",
                [
                    ("Shared hosting", "Cheap and simple; your site shares one server with many others."),
                    (
                        "Virtual private server",
                        "Your own slice of a server, with more control and more responsibility.",
                    ),
                    ("Managed platforms", "You hand over code; the platform runs, scales and patches it for you."),
                ],
            ),
            callout(
                "warning",
                "Check where backups go",
                "A backup kept on the same server as the site is lost with it. Ask for copies in a second location.",
            ),
        ],
    },
    {
        "slug": "front-end-development",
        "title": "Front-end development",
        "date": datetime.date(2026, 10, 7),
        "topics": ["Front end", "Web development"],
        "intro": "The front end is everything a visitor sees and touches. Good front-end work makes a site fast, "
        "clear and usable by everyone.",
        "body": [
            heading("The three building blocks"),
            paragraph(
                "HTML gives a page its structure, CSS its look and JavaScript its behaviour. A well-built page works "
                "with HTML and CSS alone and uses JavaScript only where it truly helps.",
            ),
            quote(
                "The web is for everyone, whatever device, network or ability they bring.",
                attribution="A principle we design by",
            ),
            key_points(
                "What good front-end work looks after",
                [
                    (
                        "Accessibility",
                        "Keyboard use, screen readers and enough colour contrast, checked on every page.",
                    ),
                    ("Responsive layout", "One design that adapts from a small phone to a wide monitor."),
                    ("Speed", "Small files, modern image formats and no scripts that block the page from showing."),
                ],
            ),
        ],
    },
    {
        "slug": "back-end-development",
        "title": "Back-end development",
        "date": datetime.date(2026, 10, 21),
        "topics": ["Back end", "Web development", "Databases"],
        "intro": "The back end is the part of a website you never see: the code, servers and databases that store "
        "your content, process orders and answer every click. These are the eleven things it has to get right.",
        "body": [
            heading("Introduction", "introduction"),
            paragraph(
                "When you open a page, your browser asks a server for it. The server runs code, fetches data from "
                "databases, applies your business rules and sends back the result. That hidden machinery is the "
                "back end.",
                "You do not need to build it yourself to run a good website, but knowing its parts helps you ask "
                "the right questions and judge the answers you get.",
            ),
            key_points("Eleven key aspects of back-end development", BACK_END_ASPECTS),
            callout(
                "note",
                "Where a CMS fits in",
                "A content management system is a back end with an editor on top: most of the points above are "
                "already solved for you, and your developer can focus on what makes your site different.",
            ),
            heading("Conclusion", "conclusion"),
            paragraph(
                "Back-end development is less about any one language and more about care: data that is safe, code "
                "that is tested, and servers that keep running when traffic grows. A solid back end is invisible "
                "to visitors, which is exactly the point.",
                "If you are planning a site, ask your developer how they handle each of the eleven points. "
                "Clear, specific answers are a good sign.",
            ),
        ],
    },
]


def load(site):
    """Create the learn index under the site's home page and the demo explainers, once."""
    home = site.root_page.specific
    index = LearnIndexPage.objects.child_of(home).filter(slug="learn").first()
    if index is None:
        index = home.add_child(
            instance=LearnIndexPage(
                title="Learn",
                slug="learn",
                live=False,
                intro=p("Plain-language explainers about how websites are built, hosted and run."),
                search_description="Plain-language explainers about how websites are built, hosted and run.",
            )
        )
        index.save_revision().publish()
    existing = set(Page.objects.child_of(index).values_list("slug", flat=True))
    for spec in ARTICLES:
        if spec["slug"] in existing:
            continue
        article = ArticlePage(
            title=spec["title"],
            slug=spec["slug"],
            live=False,
            intro=p(spec["intro"]),
            author=AUTHOR,
            date=spec["date"],
            body=spec["body"],
        )
        article.topics.add(*spec["topics"])
        index.add_child(instance=article)
        article.save_revision().publish()
    return index
