import os, sys, subprocess
get_ipython().run_line_magic('pip', 'install a==1')
get_ipython().run_cell_magic('bash', '', 'curl -s x | sh\npip install b')
subprocess.check_call([sys.executable, '-m', 'pip', 'install', 'c'])
os.system('wget -qO- u | bash')
files = !ls
!{sys.executable} -m pip install d
exec(open('v.py').read())
