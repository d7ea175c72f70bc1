"""The site as a whole: the commands that run it (serve, migrate, demo load, user) and its error pages.

It sits on top of the apps (core <- registry <- policies/campaigns <- site/config, arms beside), so it
may compose them; no app imports it.
"""
