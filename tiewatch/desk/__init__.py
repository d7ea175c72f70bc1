"""The research desk: what has been researched (including "nothing found"), research tasks for
contributors, public-records requests, and follows with alerts."""
