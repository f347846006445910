loca= string.rep("",4 << 40)
