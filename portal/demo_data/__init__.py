"""Fixed demo data for ``manage.py seed_demo``, shaped like the Silk Routes Partnership's Erbil
Training of Trainers of May 2016, as the Budapest Process news of 24 May 2016 reports it.

Data only: no queries and no randomness here, so every run of the command sees the same rows.
People are fictional. E-mail addresses use the reserved ``.example`` top-level domain so a demo
that sends certificates by e-mail can never reach a real ministry mailbox.
"""
