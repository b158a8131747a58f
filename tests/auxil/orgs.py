"""The organisation trees of the tests: the demo bloc and a small bloc."""

from pathlib import Path

# The demo bloc that ships with the bot (the sandbox and the demo history load it).
DEMO_ORG = Path(__file__).resolve().parents[2] / "bot" / "demo" / "org.csv"

# Two clusters, two base committees with sub-cells, two base cells.
SMALL_ORG = """code,name,kind,parent,members
DUK,Đảng bộ Khối các cơ quan tỉnh,bloc,,
C1,Cụm 1,cluster,DUK,
C2,Cụm 2,cluster,DUK,
TNMT,Đảng bộ cơ quan Sở Tài nguyên và Môi trường,base_committee,C1,
TNMT-01,Chi bộ Văn phòng,sub_cell,TNMT,10
TNMT-02,Chi bộ Thanh tra,sub_cell,TNMT,8
TNMT-03,Chi bộ Phòng Pháp chế,sub_cell,TNMT,12
NTM,Chi bộ Ban Xây dựng nông thôn mới,base_cell,C1,11
TAICHINH,Đảng bộ cơ quan Sở Tài chính,base_committee,C2,
TAICHINH-01,Chi bộ Văn phòng Sở Tài chính,sub_cell,TAICHINH,20
TAICHINH-02,Chi bộ Phòng Ngân sách,sub_cell,TAICHINH,6
NOICHINH,Chi bộ cơ quan Ban Nội chính Tỉnh ủy,base_cell,C2,26
"""
