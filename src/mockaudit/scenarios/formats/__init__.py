"""Native importers: vendor exports (gh, GitLab, Jira, Okta, AWS…) read as population rows."""
