// StartOnBoot35Test ran and passed: it starts the application on Spring Boot 3.5 and asserts the
// failure and its message. Its own line, then Surefire's summary (the last "Tests run:" line).
def log = new File(basedir, 'build.log').text
assert log =~ /Tests run: 1, Failures: 0, Errors: 0, Skipped: 0, .* in com\.example\.hello\.StartOnBoot35Test/ :
    'StartOnBoot35Test did not run, or failed'
def runs = (log =~ /Tests run: (\d+), Failures: (\d+), Errors: (\d+), Skipped: (\d+)/).collect { it }
assert !runs.isEmpty() : 'no "Tests run:" line in build.log'
def summary = runs.last()
// toInteger(), not "as int": a one-character string "as int" is its character code.
assert summary[1].toInteger() > 0 : "no tests ran: ${summary[0]}"
assert summary[2].toInteger() == 0 && summary[3].toInteger() == 0 : "tests failed: ${summary[0]}"
