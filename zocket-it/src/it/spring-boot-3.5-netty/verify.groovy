// hello-world's handler tests ran (more than none) and passed on Boot 3.5's parent with the two
// properties set.
def log = new File(basedir, 'build.log').text
def runs = (log =~ /Tests run: (\d+), Failures: (\d+), Errors: (\d+), Skipped: (\d+)/).collect { it }
assert !runs.isEmpty() : 'no "Tests run:" line in build.log'
def summary = runs.last()
assert summary[1].toInteger() > 0 : "no tests ran: ${summary[0]}"
assert summary[2].toInteger() == 0 && summary[3].toInteger() == 0 : "tests failed: ${summary[0]}"
