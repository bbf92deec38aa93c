"""Use cases that join the vault and the core: importing a scenario or population
(``importer``), running and storing an audit (``auditing``), writing a program back out
(``program_export``) and the evidence package (``package``). Called only by the session.
"""
