"""History over the edit log: blame, descriptions, selective revert, diffs and summaries.

Pure: works on documents and lists of edit records; must not import Flask,
SQLAlchemy or Socket.IO (the web and persistence layers call into it).
"""
