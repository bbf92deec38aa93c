"""The synthetic scenario generator: a program, its populations and evidence, with planted
defects and the ``truth.json`` that lists them (``generator.generate_scenario``).

Loaded only when a scenario is generated (it pulls in Faker); the readers of scenario
folders stay in ``mockaudit.scenarios``.
"""
