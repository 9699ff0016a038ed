// HelloMetrics read Zocket's meters from a SimpleMeterRegistry after one call and one event.
def log = new File(basedir, 'build.log').text
assert log.contains('metrics: handled=1 sent=1 opened=1')
