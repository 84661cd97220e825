"""The report's charts, drawn with matplotlib on its Agg canvas (no display, no pyplot state)
and written twice: PNG for any browser, SVG for print and reuse. Text in the SVG stays text,
so labels in either script are searchable and nothing is fetched to show them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import networkx as nx

matplotlib.use("Agg")

from matplotlib import colormaps  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

#: Same bytes for the same data: no dates in the files, fixed ids in the SVG.
matplotlib.rcParams["svg.hashsalt"] = "ssekg"
matplotlib.rcParams["svg.fonttype"] = "none"
matplotlib.rcParams["font.family"] = "DejaVu Sans"
_SVG_METADATA = {"Date": None, "Creator": "ssekg"}
_PNG_METADATA = {"Software": "ssekg"}
PRESENCE_COLOURS = ListedColormap(["#f3d9d2", "#2f7f6f"])
BAR_COLOUR = "#2f7f6f"


@dataclass(frozen=True)
class Chart:
    """One chart as written: its files (relative to the report folder) and a description."""

    name: str
    png: str
    svg: str
    alt: str


def save(figure: Figure, folder: Path, name: str, alt: str) -> Chart:
    """Write ``figure`` as ``folder/name.png`` and ``folder/name.svg``."""
    folder.mkdir(parents=True, exist_ok=True)
    figure.savefig(folder / f"{name}.png", dpi=110, metadata=_PNG_METADATA)
    figure.savefig(folder / f"{name}.svg", metadata=_SVG_METADATA)
    return Chart(name, f"{folder.name}/{name}.png", f"{folder.name}/{name}.svg", alt)


def bar_chart(items: Sequence[tuple[str, int]], title: str, axis_label: str) -> Figure:
    """Horizontal bars, largest first from the top; the count at the end of each bar."""
    height = 1.2 + 0.32 * max(len(items), 1)
    figure = Figure(figsize=(8, height), layout="constrained")
    axes = figure.add_subplot()
    labels = [label for label, _ in items][::-1]
    values = [value for _, value in items][::-1]
    bars = axes.barh(range(len(values)), values, color=BAR_COLOUR)
    axes.set_yticks(range(len(labels)), labels=labels)
    axes.bar_label(bars, padding=3, fontsize=8)
    axes.set_xlabel(axis_label)
    axes.set_title(title, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    axes.margins(x=0.1)
    return figure


def heat_map(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float]],
    title: str,
    *,
    presence: tuple[str, str] | None = None,
) -> Figure:
    """A grid of ``rows`` × ``columns``. With ``presence`` (the words for 0 and 1) cells are
    two colours with a legend; otherwise a colour scale with each count written in its cell."""
    width = min(4 + 0.55 * len(columns), 22)
    height = min(2 + 0.3 * max(len(rows), 1), 30)
    figure = Figure(figsize=(width, height), layout="constrained")
    axes = figure.add_subplot()
    if presence is not None:
        image = axes.imshow(values, cmap=PRESENCE_COLOURS, vmin=0, vmax=1, aspect="auto")
        bar = figure.colorbar(image, ax=axes, ticks=[0.25, 0.75], shrink=0.4)
        bar.ax.set_yticklabels(list(presence))
    else:
        image = axes.imshow(values, cmap=colormaps["YlGn"], aspect="auto")
        figure.colorbar(image, ax=axes, shrink=0.6)
        top = max((max(r) for r in values if len(r)), default=0) or 1
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                if value:
                    colour = "white" if value > top * 0.6 else "black"
                    axes.text(j, i, f"{value:g}", ha="center", va="center", fontsize=7,
                              color=colour)  # fmt: skip
    axes.set_xticks(range(len(columns)), labels=list(columns), rotation=45, ha="right")
    axes.set_yticks(range(len(rows)), labels=list(rows))
    axes.tick_params(labelsize=8)
    axes.set_title(title, loc="left")
    return figure


#: Colours of the largest communities in the network picture; the others are grey.
COMMUNITY_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02",
                     "#a6761d", "#1f78b4", "#b2df8a", "#fb9a99")  # fmt: skip
OTHER_COLOUR = "#b7c2bf"


def network_picture(
    graph: nx.Graph,
    community: dict[str, int],
    named: dict[str, str],
    title: str,
    *,
    seed: int = 42,
) -> Figure:
    """The nodes of ``graph`` placed by a seeded spring layout, coloured by ``community``
    (the largest ones in colour), sized by degree; the nodes of ``named`` (IRI → label) are
    written beside them."""
    figure = Figure(figsize=(10, 8), layout="constrained")
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.set_title(title, loc="left")
    if graph.number_of_nodes() == 0:
        return figure
    positions = nx.spring_layout(graph, seed=seed, k=1.5 / max(graph.number_of_nodes(), 1) ** 0.5)
    nodes = sorted(graph)
    colours = [
        COMMUNITY_COLOURS[community[v]]
        if 0 <= community.get(v, -1) < len(COMMUNITY_COLOURS)
        else OTHER_COLOUR
        for v in nodes
    ]
    sizes = [20 + 12 * graph.degree(v) ** 0.8 for v in nodes]
    nx.draw_networkx_edges(graph, positions, ax=axes, edge_color="#9aa8a5", alpha=0.5, width=0.6)
    nx.draw_networkx_nodes(graph, positions, nodelist=nodes, node_color=colours,
                           node_size=sizes, ax=axes, linewidths=0.4,
                           edgecolors="white")  # fmt: skip
    for iri, label in named.items():
        if iri in positions:
            x, y = positions[iri]
            axes.annotate(label, (x, y), xytext=(4, 4), textcoords="offset points", fontsize=7,
                          bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "#9aa8a5",
                                "alpha": 0.85})  # fmt: skip
    return figure
