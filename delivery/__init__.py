"""Running a course: attendance, scores and teach-backs, the completion rule, closing the course,
overrides, and the course's files (roster, attendance sheet, sign-in sheet).

The records themselves (enrolments, attendance, teach-backs) are ``participants``' models:
certificates point at enrolments, and closing a course consults certificates, so the logic that
runs a course sits above ``certificates`` while the rows stay below it.
"""
