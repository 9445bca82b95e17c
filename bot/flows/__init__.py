"""The flow "compiler": YAML text to a checked, immutable model. Imports only stdlib and yaml."""

from bot.flows.catalog import check_paths, load_catalog, shipped_flows_dir
from bot.flows.errors import FlowError, Location, Problem
from bot.flows.model import Catalog, Flow, FlowId, Kind, Option, Rule, Step, StepId

__all__ = [
    "Catalog",
    "Flow",
    "FlowError",
    "FlowId",
    "Kind",
    "Location",
    "Option",
    "Problem",
    "Rule",
    "Step",
    "StepId",
    "check_paths",
    "load_catalog",
    "shipped_flows_dir",
]
