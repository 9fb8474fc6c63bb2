"""`--host-stats`: the per-host table on stderr."""

from __future__ import annotations


def _print_host_stats(stats: dict[str, dict[str, float]]) -> None:
    """`--host-stats`: politeness made visible, on stderr so stdout stays the report."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Requests per host", box=None, pad_edge=False, header_style="bold")
    for column in ("Host", "Requests", "Retries", "429s", "Soft-404 probes", "Mean latency"):
        table.add_column(column, justify="left" if column == "Host" else "right")
    for host, row in stats.items():
        table.add_row(
            host, str(int(row["requests"])), str(int(row["retries"])), str(int(row["throttled"])),
            str(int(row.get("probes", 0))), f"{row['mean_latency'] * 1000:.0f} ms",
        )  # fmt: skip
    Console(stderr=True, highlight=False, soft_wrap=True).print(table)
