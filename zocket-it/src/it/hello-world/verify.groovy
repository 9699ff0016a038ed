// HelloWorld ran (exec-maven-plugin fails the build on a non-zero exit); the call's reply and
// the event both arrived.
def log = new File(basedir, 'build.log').text
assert log.contains('reply: Hello, Ada!')
assert log.contains('event: Hello, Ada!')
// HelloMetrics read Zocket's meters from a SimpleMeterRegistry after one call and one event.
assert log.contains('metrics: handled=1 sent=1 opened=1')
