"""Monday-morning peak (RELIABILITY row 29 and section 8): project managers open "Mes projets", their
weekly update and their project pages, and save or submit the update; PMO officers and executives
read the dashboard and the lists. One request per task, each user paced at one task per second, so
`--users N` is N requests per second.

Sessions are made server-side by reliability/load/run.py and passed in RELIABILITY_LOAD_SESSIONS (a
JSON file: session cookies, CSRF tokens, each PM's projects). Every request is recorded with its
category (page, fragment, write) in RELIABILITY_LOAD_SAMPLES for exact per-category percentiles.
"""

import json
import os
import random
import re
import time

from locust import HttpUser, constant_throughput, events, task

SESSIONS = json.loads(open(os.environ["RELIABILITY_LOAD_SESSIONS"]).read())  # noqa: SIM115
SAMPLES_PATH = os.environ.get("RELIABILITY_LOAD_SAMPLES")
SAMPLES: list[tuple] = []
VERSION = re.compile(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"')
RAGS = ["green", "amber", "red"]


@events.request.add_listener
def record(request_type, name, response_time, response_length, response=None, exception=None, **kwargs):
    status = getattr(response, "status_code", 0) if response is not None else 0
    SAMPLES.append((name.split(":", 1)[0], name, round(response_time, 1), status, time.time()))


@events.quitting.add_listener
def dump(environment, **kwargs):
    if SAMPLES_PATH:
        with open(SAMPLES_PATH, "w") as handle:
            json.dump(SAMPLES, handle)


class Identity(HttpUser):
    abstract = True
    wait_time = constant_throughput(1)
    pool: list = []

    def on_start(self):
        self.me = random.choice(self.pool)
        self.client.headers.update(
            {
                "Cookie": self.me["cookie"],
                "X-CSRFToken": self.me["csrf"],
                "Referer": self.host + "/",
            }
        )

    def get(self, path, name, htmx=False):
        headers = {"HX-Request": "true"} if htmx else {}
        with self.client.get(
            path, name=name, headers=headers, allow_redirects=False, catch_response=True
        ) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")
            return r


class ProjectManager(Identity):
    """A PM on Monday morning: mostly their own projects and the weekly update."""

    weight = 8
    pool = [s for s in SESSIONS if s["role"] == "pm" and s["projects"]]

    def on_start(self):
        super().on_start()
        self.versions = {}

    def project(self):
        return random.choice(self.me["projects"])

    @task(3)
    def my_projects(self):
        self.get("/projects/mine/", "page:my-projects")

    @task(3)
    def weekly_form(self):
        pk = self.project()
        response = self.get(f"/projects/{pk}/weekly/", "page:weekly-update")
        found = VERSION.search(response.text or "")
        if found:
            self.versions[pk] = found.group(1) or found.group(2)

    @task(2)
    def weekly_save(self):
        if not self.versions:
            return self.weekly_form()
        pk, version = random.choice(list(self.versions.items()))
        data = {axis: random.choice(RAGS) for axis in ("overall", "quality", "cost", "schedule", "risk")}
        data.update(
            {f"{axis}_comment": "Point de lundi" for axis in data},
            percent_complete=str(random.randint(0, 100)),
            achievements="Avancement de la semaine",
            next_steps="Suite",
            help_needed="",
            version=version,
            action="submit" if random.random() < 0.2 else "save",
        )
        with self.client.post(
            f"/projects/{pk}/weekly/",
            data=data,
            name="write:weekly-save",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # 302: saved; 200: already submitted this week (the frozen page); 422: stale version or
            # invalid (the expected outcome of a race, like a 412 in the API).
            if response.status_code in (200, 302, 422):
                response.success()
            else:
                response.failure(f"{response.status_code}")
        self.versions.pop(pk, None)

    @task(2)
    def project_page(self):
        self.get(f"/projects/{self.project()}/", "page:project-detail")

    @task(3)
    def project_fragments(self):
        pk = self.project()
        name = random.choice(["qcdr", "summary", "risks", "milestones", "costs", "card"])
        self.get(f"/projects/{pk}/partials/{name}/", f"fragment:{name}", htmx=True)


class PortfolioReader(Identity):
    """PMO officers and executives: dashboard and lists."""

    weight = 2
    pool = [s for s in SESSIONS if s["role"] in ("pmo", "exec")]

    @task(3)
    def dashboard(self):
        self.get("/dashboard/", "page:dashboard")

    @task(2)
    def project_list(self):
        self.get(f"/projects/?page={random.randint(1, 40)}", "page:project-list")

    @task(2)
    def project_list_refresh(self):
        self.get(f"/projects/?page={random.randint(1, 40)}&state=active", "fragment:project-list", htmx=True)

    @task(1)
    def programmes(self):
        self.get("/programmes/", "page:programme-list")
