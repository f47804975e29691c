import RaceLab

let workers = max(2, CPUSet.current().count)
print(try stress(isFixed: false, workers: workers))
print(try stress(isFixed: true, workers: workers))
