"""Checking on a Ray cluster: the sites dealt to owners on any node instead of forked
processes on this one (`spread`), with the same politeness, globally.

How the limits hold across machines:
- Every registrable domain (`linkcheck.sites.registrable_domain`) is hashed to one of
  `SHARDS` virtual shards (a stable hash, the same on every machine), and each shard has
  exactly one owner for the run: a named async Ray actor (`linkcheck-owner-K` in the
  run's own namespace) running linkcheck's own engine and client. A site's links go to
  its owner only, so its hosts' concurrency and interval are kept there exactly as one
  process keeps them.
- A redirect to a host of another site is not checked with a share of that host's limit:
  the hop's slot (its place in the host's concurrency, its start under the host's
  interval) is granted by the owner of that site (`ShardOwner.acquire`) and held until
  the hop's answer is read. While that owner restarts the hop waits for it; only if it is
  gone for good does the hop take a 1/n share of the host's limits locally. (A grant held
  by an owner that dies is not given back: that host has one slot fewer for the rest of
  the run.)
- The global limit (`check.max_concurrency`) is split between the owners: G // owners
  each at first, then, once every link is known, in proportion to each owner's links (one
  slot at least), so the cluster has at most G in flight (if G >= owners; while a share
  shrinks, the requests already in flight end first).

Who feeds whom: whoever finds links (the pipeline's extraction tasks, on any node) sends
them straight to their owners (`route`, `feed_owners`); the driver only collects verdicts.

A lost owner costs no verdict: owners are restartable actors (Ray places a restarted one
on any live node); a restarted owner has a new `incarnation`, and the session sends it
again every link of its shards that has no verdict yet (what the driver has not received
is exactly what the run's history does not hold). An owner dedups what it is fed, and the
session keeps the first verdict of a URL, so each URL gets exactly one. An owner whose
restarts are used up (`MAX_RESTARTS`) leaves its links to the driver, which checks them
itself; an owner's engine that fails fails the run with its error, it never waits forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import itertools
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from linkcheck.check.limits import HostGate, HostStats
from linkcheck.check.options import CheckConfig, CheckSettings, NetworkSettings
from linkcheck.check.spread import Prepare, SpreadRun, WorkerHooks, WorkerSetup, check_here, merge_stats, site_of
from linkcheck.errors import ConfigError
from linkcheck.models import Link, Received, Result

#: Virtual shards the sites are hashed to; fixed, so a site's shard is the same in every run
#: and on every machine, whatever the number of owners.
SHARDS = 256
#: How long the owners may take to be placed and started, or restarted, before the run gives up.
START_TIMEOUT = 120.0
#: Concurrent calls one owner serves (feeds, verdict pulls, slot requests from other owners).
OWNER_CALLS = 10_000
#: Restarts of one owner before it counts as gone for good (its links are then checked on the driver).
MAX_RESTARTS = 20
#: Links sent to an owner in one call.
FEED_CHUNK = 1000

#: The driver's side of archiving: (request URL, the response as the owner's check received it).
Capture = Callable[[str, Received | None], Awaitable[dict[str, Any] | None]]


def shard_of(site: str) -> int:
    """The virtual shard of a registrable domain: a stable hash (not Python's `hash`,
    which differs between processes)."""
    return int.from_bytes(hashlib.blake2b(site.encode("utf-8"), digest_size=8).digest(), "big") % SHARDS


def owner_of_shard(shard: int, owners: int) -> int:
    return shard % max(1, owners)


def owner_of_host(host: str, owners: int) -> int:
    """The owner of a host: the owner of its site's shard."""
    from linkcheck.sites import registrable_domain

    return owner_of_shard(shard_of(registrable_domain(host.lower())), owners)


def owner_of_link(link: Link, owners: int) -> int:
    return owner_of_shard(shard_of(site_of(link.request_url)), owners)


def route(links: Sequence[Link], owners: int) -> dict[int, list[Link]]:
    """The links to request, by owner, stripped to what an owner needs (the URL and any
    archived copy the documents cite; the locations stay with whoever found them)."""
    batches: dict[int, list[Link]] = {}
    for link in links:
        if link.verdict is None:
            batches.setdefault(owner_of_link(link, owners), []).append(Link(link.url, archived_copies=list(link.archived_copies)))
    return batches


def feed_owners(owners: Sequence[Any], links: Sequence[Link]) -> None:
    """Send links to their owners and wait until each owner has them (blocking: for Ray
    tasks). A call to an owner that is restarting is retried by Ray once it is back."""
    import ray

    calls = []
    for index, batch in route(links, len(owners)).items():
        for start in range(0, len(batch), FEED_CHUNK):
            calls.append(owners[index].feed.remote(batch[start : start + FEED_CHUNK]))
    ray.get(calls)


@dataclass(frozen=True)
class RayCheckConfig:
    """A picklable `CheckConfig` built from the run's settings, for the owners: `[check]`,
    `[network]`, and the `[hosts]` limits and headers resolved (`${VAR}` expanded) on the
    driver. `owner`/`owners` say which owner this copy is for: a host of a site it does
    not own gets a 1/n share of its limits (used only while that site's owner cannot be
    asked, see `ShardOwner.acquire`)."""

    check: CheckSettings
    network: NetworkSettings
    default_limits: tuple[int, float]
    common_headers: dict[str, str]
    limits: dict[str, tuple[int, float]] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    owner: int = 0
    owners: int = 1

    @classmethod
    def of(cls, settings: CheckConfig) -> RayCheckConfig:
        if isinstance(settings, RayCheckConfig):
            return settings
        hosts = list(getattr(settings, "hosts", None) or {})
        return cls(
            check=settings.check,
            network=settings.network,
            # "" is no host name: what every host without a [hosts] table gets
            default_limits=settings.host_limits(""),
            common_headers=settings.host_headers(""),
            limits={host.lower(): settings.host_limits(host) for host in hosts},
            headers={host.lower(): settings.host_headers(host) for host in hosts},
        )

    def for_owner(self, owner: int, owners: int) -> RayCheckConfig:
        """This configuration as owner `owner` of `owners` sees it: its share of the global limit."""
        check = dataclasses.replace(self.check, max_concurrency=max(1, self.check.max_concurrency // max(1, owners)))
        return dataclasses.replace(self, check=check, owner=owner, owners=owners)

    def owns(self, host: str) -> bool:
        return self.owners <= 1 or owner_of_host(host, self.owners) == self.owner

    def host_limits(self, hostname: str) -> tuple[int, float]:
        concurrency, interval = self.limits.get(hostname.lower(), self.default_limits)
        if self.owns(hostname):
            return concurrency, interval
        return max(1, concurrency // self.owners), interval * self.owners

    def host_headers(self, hostname: str) -> dict[str, str]:
        return dict(self.headers.get(hostname.lower(), self.common_headers))


@contextlib.contextmanager
def connected(address: str) -> Iterator[None]:
    """Connected to Ray for the block: `local` starts a throwaway cluster on this machine
    (its processes stopped at the end, by the handles that started them: never `ray stop`),
    `auto` joins the cluster this machine is part of, `ray://HOST:PORT` joins one through
    the Ray Client, `HOST:PORT` as a driver on one of its nodes. Already connected (a test,
    a notebook): that connection, left open."""
    try:
        import ray
    except ImportError:
        raise ConfigError("check.ray needs Ray: pip install 'linkcheck[distributed]'") from None
    if ray.is_initialized():
        yield
        return
    _reachable(address)
    try:
        if address == "local":
            ray.init(address="local", include_dashboard=False, log_to_driver=False, configure_logging=False)
        else:
            ray.init(address=address, log_to_driver=False, configure_logging=False)
    except (OSError, ValueError, RuntimeError) as error:  # ConnectionError is an OSError
        doing = "cannot start a Ray cluster here" if address == "local" else "cannot connect to a Ray cluster"
        raise ConfigError(f"check.ray = {address!r}: {doing} ({error})") from None
    try:
        yield
    finally:
        ray.shutdown()


#: Seconds to wait for a named cluster's port to answer (Ray itself waits minutes).
CONNECT_TIMEOUT = 10.0


def _reachable(address: str) -> None:
    """A HOST:PORT or ray://HOST:PORT that does not answer is a clear error now, instead
    of Ray's minutes of retries."""
    import socket
    from urllib.parse import urlsplit

    if address in ("local", "auto"):
        return
    parts = urlsplit(address if "://" in address else f"ray://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if not host or not port:
        raise ConfigError(f"check.ray = {address!r}: expected local, auto, ray://HOST:PORT or HOST:PORT")
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT).close()
    except OSError as error:
        raise ConfigError(f"check.ray = {address!r}: no Ray cluster answers there ({error})") from None


def owner_count(owners: int | None = None) -> int:
    """How many owners: as asked, else one per CPU of the cluster; at most SHARDS."""
    import ray

    if owners is None:
        owners = int(ray.cluster_resources().get("CPU", 1))
    return max(1, min(SHARDS, owners))


class RaySession:
    """Owners started before the links are known; fed by whoever finds links
    (`handles`, `feed_owners`), or here (`feed`).

        async with RaySession(settings, on_result) as session:
            ...  # links reach the owners
            session.expect(links)  # every link that needs a verdict, with its locations

    Verdicts that arrive before `expect` are held (a link's locations are complete only
    then). Leaving the block waits for a verdict on every expected link, sends a
    restarted owner again what it lost, and stops the owners by their handles."""

    def __init__(
        self,
        settings: CheckConfig,
        on_result: Callable[[Result], None] | None = None,
        *,
        owners: int | None = None,
        hooks: WorkerHooks | None = None,
        prepare: Prepare | None = None,
        capture: Capture | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.config = RayCheckConfig.of(settings)
        self.on_result = on_result
        self.requested = owners
        self.setup = WorkerSetup(hooks, prepare)
        self.capture = capture
        self.clock = clock
        self.run = SpreadRun()
        self.namespace = f"linkcheck-{uuid.uuid4().hex}"
        #: How many times an owner was seen to come back restarted, by owner.
        self.restarts: dict[int, int] = {}
        self._owners: list[Any] = []
        self._expected: dict[str, Link] | None = None
        #: URLs whose first verdict arrived, and of those, the ones accepted; expected, not yet answered.
        self._taken: set[str] = set()
        self._answered: set[str] = set()
        self._waiting: set[str] = set()
        #: Each owner's share of the global limit once dealt (sent again to a restarted owner).
        self._shares: dict[int, int] = {}
        self._held: list[Result] = []
        self._captures: dict[str, dict[str, Any] | None] = {}
        self._incarnation: dict[int, str] = {}
        self._lost: set[int] = set()  # restarted owners not yet sent what they lost
        self._dead: set[int] = set()  # owners gone for good, their links not yet checked here
        self._done = asyncio.Event()
        self._collecting: list[asyncio.Task[None]] = []
        #: Calls made without waiting (feeds, shares): answered before the owners are stopped.
        self._calls: list[Any] = []

    async def __aenter__(self) -> RaySession:
        import ray
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        size = owner_count(self.requested)
        owner_class = ray.remote(ShardOwner)
        # Dealt round the live nodes; soft, so a restarted owner may go to any node. They ask
        # for no CPU: they wait on the network, and more owners than CPUs must start.
        nodes = sorted(node["NodeID"] for node in ray.nodes() if node.get("Alive"))
        try:
            for index in range(size):
                place = NodeAffinitySchedulingStrategy(nodes[index % len(nodes)], soft=True) if nodes else "SPREAD"
                self._owners.append(
                    owner_class.options(
                        name=f"linkcheck-owner-{index}", namespace=self.namespace, scheduling_strategy=place,
                        max_concurrency=OWNER_CALLS, num_cpus=0, max_restarts=MAX_RESTARTS, max_task_retries=-1,
                    ).remote(self.config.for_owner(index, size), self.setup, self.namespace, self.capture is not None, self.clock)
                )  # fmt: skip
            starts = [owner.incarnation.remote() for owner in self._owners]
            for index, incarnation in enumerate(await asyncio.wait_for(asyncio.gather(*starts), START_TIMEOUT)):
                self._incarnation[index] = incarnation
            self._collecting = [asyncio.create_task(self._collect(index)) for index in range(size)]
        except BaseException:
            self._stop()
            raise
        return self

    @property
    def handles(self) -> list[Any]:
        """The owners' actor handles, in owner order (they pickle: hand them to Ray tasks)."""
        return list(self._owners)

    def feed(self, links: Sequence[Link]) -> None:
        """Send links to their owners from here (the driver is then in the data path)."""
        for index, batch in route(links, len(self._owners)).items():
            for start in range(0, len(batch), FEED_CHUNK):
                self._calls.append(self._owners[index].feed.remote(batch[start : start + FEED_CHUNK]))

    def expect(self, links: Sequence[Link]) -> None:
        """Every link that needs a verdict from an owner, with all its locations; the held
        verdicts go out now, and owners that restarted meanwhile are sent what they lost."""
        self._expected = {link.url: link for link in links if link.verdict is None}
        self._waiting = set(self._expected) - self._answered
        self._share_out()
        held, self._held = self._held, []
        for result in held:
            self._deliver(result)
        for index in sorted(self._lost):
            self._resend(index)
        self._check_done()

    def _share_out(self) -> None:
        """The global limit dealt again, now that every link is known: in proportion to each
        owner's links (one slot at least, for the hops other owners' redirects send it), so
        the sites' hash does not leave one owner with most of the work and half the slots."""
        assert self._expected is not None
        load = [0] * len(self._owners)
        for link in self._expected.values():
            load[owner_of_link(link, len(self._owners))] += 1
        total, spare = sum(load), self.config.check.max_concurrency - len(self._owners)
        if total == 0 or spare <= 0:
            return
        for index, owner in enumerate(self._owners):
            self._shares[index] = 1 + spare * load[index] // total
            self._calls.append(owner.set_share.remote(self._shares[index]))

    def _deliver(self, result: Result) -> None:
        assert self._expected is not None
        link = self._expected.get(result.url)
        if link is None:  # the run knew this one without an owner (a reading task fed it anyway)
            return
        result.locations = list(link.locations)
        self.run.results.append(result)
        if self.on_result is not None:
            self.on_result(result)

    async def _receive(self, result: Result, wanted: bool, received: Received | None) -> None:
        if result.url in self._taken:  # a restarted owner's second verdict: the first stands
            return
        self._taken.add(result.url)
        if self.capture is not None and wanted:  # a live page: archived once, for all its #fragments
            page = _request_url(result.url)
            if page not in self._captures:
                self._captures[page] = await self.capture(page, received)
            result.archive = self._captures[page]
        self._answered.add(result.url)  # only now: the run does not end while a capture is written
        if self._expected is None:
            self._held.append(result)
        else:
            self._waiting.discard(result.url)
            self._deliver(result)
            self._check_done()

    def _check_done(self) -> None:
        if self._expected is not None and not self._waiting:
            self._done.set()

    def _resend(self, index: int) -> None:
        """Owner `index` came back restarted: send it every link of its shards still unanswered."""
        self._lost.discard(index)
        assert self._expected is not None
        if index in self._shares:
            self._calls.append(self._owners[index].set_share.remote(self._shares[index]))
        missing = [self._expected[url] for url in self._waiting if owner_of_link(self._expected[url], len(self._owners)) == index]
        for batch in route(missing, len(self._owners)).values():
            for start in range(0, len(batch), FEED_CHUNK):
                self._calls.append(self._owners[index].feed.remote(batch[start : start + FEED_CHUNK]))

    async def _collect(self, index: int) -> None:
        """Pull owner `index`'s verdicts as they come, noticing when it was restarted. Returns
        when the owner is gone for good (its restarts used up); raises what broke its engine."""
        from ray.exceptions import ActorDiedError, ActorUnavailableError

        owner = self._owners[index]
        while not self._done.is_set():
            try:
                incarnation, batch = await owner.take.remote()
            except ActorUnavailableError:  # gone for now: Ray is restarting it
                await asyncio.sleep(0.2)
                continue
            except ActorDiedError:
                self._dead.add(index)
                return
            if incarnation != self._incarnation.get(index):
                self._incarnation[index] = incarnation
                self.restarts[index] = self.restarts.get(index, 0) + 1
                if self._expected is None:
                    self._lost.add(index)
                else:
                    self._resend(index)
            for result, wanted, received in batch:
                await self._receive(result, wanted, received)

    async def __aexit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        try:
            if exc_type is None:
                if self._expected is None:
                    self.expect([])
                await self._finished()
                await self._summaries()
                # an ended owner answers a pending pull at once: none is left in flight to a killed owner
                await asyncio.wait([*self._collecting, *(asyncio.ensure_future(_settled(call)) for call in self._calls)], timeout=5)
        finally:
            for task in self._collecting:
                task.cancel()
            with contextlib.suppress(BaseException):
                await asyncio.gather(*self._collecting, return_exceptions=True)
            self._stop()

    async def _finished(self) -> None:
        """Wait for every verdict. An owner's engine that fails fails the run (no endless
        wait); the links of an owner gone for good are checked here, in this process."""
        done = asyncio.ensure_future(self._done.wait())
        try:
            pending = {done, *self._collecting}
            while not self._done.is_set():
                finished, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in finished:
                    if task is not done:
                        task.result()  # an engine's failure is raised here
                if self._dead and not self._done.is_set():
                    await self._check_here_for_the_dead()
        finally:
            done.cancel()

    async def _check_here_for_the_dead(self) -> None:
        assert self._expected is not None
        gone = [self._expected[url] for url in self._waiting if owner_of_link(self._expected[url], len(self._owners)) in self._dead]
        self._dead.clear()
        if not gone:
            return
        results: list[Result] = []
        await check_here(self.config, gone, results.append, self.run, self.setup, self.clock)
        for result in results:
            await self._receive(result, False, None)

    async def _summaries(self) -> None:
        """Each owner's per-host stats, notices and reachability (an owner that is gone
        meanwhile is left out: its verdicts are all in)."""
        from ray.exceptions import RayError

        async def one(owner: Any) -> tuple[Any, ...] | None:
            try:
                return await asyncio.wait_for(owner.summary.remote(), 30)  # type: ignore[no-any-return]
            except (RayError, TimeoutError):
                return None

        for summary in await asyncio.gather(*(one(owner) for owner in self._owners)):
            if summary is None:
                continue
            stats, tried, unreachable, notices = summary
            merge_stats(self.run, stats, [], lambda outcomes: True)
            self.run.notices.extend(notice for notice in notices if notice not in self.run.notices)
            if tried:
                self.run.tried = True
                self.run.unreachable = self.run.unreachable and unreachable

    def _stop(self) -> None:
        import ray

        for owner in self._owners:
            with contextlib.suppress(Exception):
                ray.kill(owner, no_restart=True)


async def _settled(call: Any) -> None:
    from ray.exceptions import RayError

    with contextlib.suppress(RayError):
        await call


def _request_url(url: str) -> str:
    return url.split("#", 1)[0]


class ShardOwner:
    """The owner of a set of shards (an async Ray actor): one engine and one client for
    every site of its shards, and the granter of those sites' host slots to the other
    owners' redirect hops. Started on its first call, so a restarted owner starts itself."""

    def __init__(
        self, config: RayCheckConfig, setup: WorkerSetup, namespace: str, keep_received: bool, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.config = config
        self.clock = clock
        self.setup = setup
        self.namespace = namespace
        self.keep_received = keep_received
        self._incarnation = uuid.uuid4().hex
        self.engine: Any = None
        self._out: list[tuple[Result, bool, Received | None]] = []
        #: Pages the engine wants archived, with the response as received (until it is sent),
        #: and those already sent.
        self._received: dict[str, Received | None] = {}
        self._archived: set[str] = set()
        self._seen: set[str] = set()
        self._wake = asyncio.Event()
        self._ended = asyncio.Event()
        self._summary: tuple[Any, ...] | None = None
        self._feed: Callable[[Sequence[Link]], None] | None = None
        self._serving: asyncio.Task[None] | None = None
        self._ready: asyncio.Future[None] | None = None
        #: This owner's share of the global limit, and the tasks holding slots it gave back.
        self._share = config.check.max_concurrency
        self._withheld: list[asyncio.Task[None]] = []
        #: Slots granted to other owners' hops, by token; tokens given up before their grant.
        self._held: dict[str, HostGate] = {}
        self._dropped: set[str] = set()

    async def _started(self) -> None:
        if self._ready is None:
            self._ready = asyncio.get_running_loop().create_future()
            self._serving = asyncio.create_task(self._serve(self._ready))
        await asyncio.shield(self._ready)

    def _peers(self) -> list[Any]:
        import ray

        return [ray.get_actor(f"linkcheck-owner-{index}", namespace=self.namespace) for index in range(self.config.owners)]

    async def _serve(self, ready: asyncio.Future[None]) -> None:
        from linkcheck.check.client import make_client
        from linkcheck.check.engine import Engine, all_unreachable

        try:
            async with make_client(self.config) as client:
                base = self.setup.hooks

                def hooks(engine: Any) -> Any:
                    from linkcheck.check.engine import EngineHooks

                    built = base(engine, client) if base is not None else EngineHooks()
                    return dataclasses.replace(built, capture=self._keep) if self.keep_received else built

                engine = self.engine = Engine(self.config, client, clock=self.clock, hooks=hooks, limiter=_ShardLimiter(self.config, self._peers()))
                await self.setup.ready(engine, client)
                async with engine.stream(self._add) as feed:
                    self._feed = feed
                    ready.set_result(None)
                    await self._ended.wait()
                outcomes = list(engine.outcomes.values())
                self._summary = (engine.host_stats, bool(outcomes), all_unreachable(outcomes) if outcomes else True, engine.notices)
        except BaseException as error:
            if not ready.done():
                ready.set_exception(error)
            raise
        finally:
            self._wake.set()

    async def incarnation(self) -> str:
        """This owner's life: a new one after each restart (the session then re-sends)."""
        await self._started()
        return self._incarnation

    async def feed(self, links: list[Link]) -> int:
        await self._started()
        assert self._feed is not None
        new = [link for link in links if link.url not in self._seen]
        self._seen.update(link.url for link in new)
        if new:
            self._feed(new)
        return len(new)

    async def _keep(self, url: str, received: Received | None) -> None:
        """The capture hook here: the driver writes the archive, from what the check received."""
        self._received[url] = received

    def _add(self, result: Result) -> None:
        """A verdict to send, with whether its page is to be archived and, the first time,
        the response the check received (the page's other #fragments follow it at once)."""
        result.locations = []  # the driver has them
        page = _request_url(result.url)
        wanted = page in self._received or page in self._archived
        if page in self._received:
            self._archived.add(page)
        self._out.append((result, wanted, self._received.pop(page, None)))
        self._wake.set()

    async def take(self) -> tuple[str, list[tuple[Result, bool, Received | None]]]:
        """This owner's incarnation and the verdicts found since the last call (waiting up to
        a second for one)."""
        await self._started()
        deadline = time.monotonic() + 1.0
        while not self._out and time.monotonic() < deadline:
            if self._serving is not None and self._serving.done():
                self._serving.result()  # the engine failed: say why
                break
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(0.0, deadline - time.monotonic()))
        batch, self._out = self._out, []
        return self._incarnation, batch

    async def set_share(self, slots: int) -> None:
        """This owner's share of the global limit, from now on (see `RaySession._share_out`)."""
        await self._started()
        limit = self.engine.limiter.local._global
        change, self._share = slots - self._share, slots
        for _ in range(max(0, change)):
            limit.release()
        if change < 0:  # taken out of use as the requests holding them end
            self._withheld.append(asyncio.create_task(_withhold(limit, -change)))

    async def summary(self) -> tuple[Any, ...] | None:
        """Ends the owner's stream; (stats, tried, unreachable, notices) once it has ended."""
        await self._started()
        self._ended.set()
        if self._serving is not None:
            await self._serving
        return self._summary

    async def acquire(self, host: str, token: str) -> bool:
        """A slot of `host` (one of this owner's sites) for another owner's request: its
        place in the host's concurrency and its start under the host's interval. False when
        the asker gave the token up meanwhile (the slot is released at once)."""
        await self._started()
        local = self.engine.limiter.local
        gate = local.gate(host)
        await gate.hold(local._clock)
        if token in self._dropped:
            self._dropped.discard(token)
            gate.semaphore.release()
            return False
        self._held[token] = gate
        return True

    async def release(self, host: str, token: str) -> None:
        gate = self._held.pop(token, None)
        if gate is not None:
            gate.semaphore.release()
        else:  # given up before it was granted
            self._dropped.add(token)

    async def pause(self, host: str, seconds: float) -> None:
        """Another owner was told to wait (429, Retry-After) by a host of this owner's."""
        await self._started()
        limiter = self.engine.limiter.local
        limiter.gate(host).pause(seconds, limiter._clock())

    async def where(self) -> tuple[str, int]:
        """(the node this owner runs on, its process id)."""
        import os

        import ray

        return str(ray.get_runtime_context().get_node_id()), os.getpid()


async def _withhold(limit: Any, slots: int) -> None:
    for _ in range(slots):
        await limit.acquire()


_tokens = itertools.count()


class _ShardLimiter:
    """The engine's limiter in an owner: its own sites' hosts from its own `Limiter`; any
    other host's slot from that host's owner (`ShardOwner.acquire`), with this owner's
    global share taken here."""

    def __init__(self, config: RayCheckConfig, owners: list[Any]) -> None:
        from linkcheck.check.limits import Limiter

        self.local = Limiter(config.check.max_concurrency, config.host_limits)
        self.config = config
        self.owners = owners
        self.prefix = uuid.uuid4().hex
        self._forwarding: set[str] = set()

    def gate(self, host: str) -> HostGate:
        gate: HostGate = self.local.gate(host)
        if not self.config.owns(host) and host not in self._forwarding:
            # a 429 or Retry-After from another owner's host slows that host for every owner
            self._forwarding.add(host)
            owner = self.owners[owner_of_host(host, self.config.owners)]
            pause = gate.pause

            def forwarded(seconds: float, now: float) -> None:
                pause(seconds, now)
                owner.pause.remote(host, seconds)

            gate.pause = forwarded  # type: ignore[method-assign]
        return gate

    def concurrency(self, host: str) -> int:
        return self.local.concurrency(host)

    @property
    def stats(self) -> dict[str, HostStats]:
        return self.local.stats

    def slot(self, host: str) -> Any:
        if self.config.owns(host):
            return self.local.slot(host)
        return _RemoteSlot(self, host, self.owners[owner_of_host(host, self.config.owners)])


class _RemoteSlot:
    """A hop to another owner's host: that owner grants the host slot, this one the global."""

    __slots__ = ("_limiter", "_host", "_owner", "_token", "_fallback", "_started")

    def __init__(self, limiter: _ShardLimiter, host: str, owner: Any) -> None:
        self._limiter = limiter
        self._host = host
        self._owner = owner
        self._token = f"{limiter.prefix}-{next(_tokens)}"
        self._fallback: Any = None
        self._started = 0.0

    async def __aenter__(self) -> HostGate:
        from ray.exceptions import RayError

        local = self._limiter.local
        gate = self._limiter.gate(self._host)  # for this owner's stats and a Retry-After pause
        try:
            granted = False
            with contextlib.suppress(RayError):
                granted = await self._owner.acquire.remote(self._host, self._token)
            if not granted:  # the host's owner is gone for now: a 1/n share, taken here
                self._fallback = local.slot(self._host)
                return await self._fallback.__aenter__()  # type: ignore[no-any-return]
            wait = gate.paused_until - local._clock()
            if wait > 0:
                await asyncio.sleep(wait)
            await local._global.acquire()
        except BaseException:
            self._owner.release.remote(self._host, self._token)
            raise
        self._started = local._clock()
        return gate

    async def __aexit__(self, *exc: object) -> None:
        if self._fallback is not None:
            await self._fallback.__aexit__(*exc)
            return
        local = self._limiter.local
        gate = local.gate(self._host)
        gate.stats.requests += 1
        gate.stats.total_seconds += local._clock() - self._started
        local._global.release()
        self._owner.release.remote(self._host, self._token)


__all__ = ["SHARDS", "RayCheckConfig", "RaySession", "connected", "feed_owners", "owner_count", "owner_of_host", "route", "shard_of"]
