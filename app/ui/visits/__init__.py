"""Reception and visit records (接待记录 / 拜访记录): the counter screen and the visit dialog."""
