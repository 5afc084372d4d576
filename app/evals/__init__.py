"""`wise eval`: an open suite of scenarios that measures whether the companion is wise.

scenarios (data in prompts/evals/) -> journal (built through the real services) ->
purposes (the real prompt and request) -> checks (deterministic, each with evidence) ->
runner (results as JSON lines, resumable) -> scorecard, HTML report, comparison.
"""
